import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXCLUDED_FAMILIES } from '../../platform/data/instance-types';
import {
  CATALOG_SOURCES,
  INSTANCE_TYPE_NAMES,
  instanceType,
  instanceTypesProblem,
  nodeGroupHardware,
  unknownInstanceTypeProblem,
} from '../../platform/instance-types';
import { ConfigError } from '../../platform/load';
import { platformJsonSchema } from '../../platform/schema';
import {
  buildCatalog,
  parseClusterAutoscalerTypes,
  parseEksAmiInstanceInfo,
  parseKarpenterReference,
  renderCatalogModule,
} from '../../scripts/refresh-instance-types';
import { fixtureConfig, ROOT } from '../helpers';

describe('the instance catalog', () => {
  it('holds the values of its upstream sources', () => {
    // m5.large: 2 vCPU, 8 GiB; eni-max-pods.txt / instance-info.jsonl: 3 ENIs × (10 − 1) + 2 = 29.
    expect(instanceType('m5.large')).toEqual({
      vcpu: 2,
      memoryMiB: 8192,
      maxPods: 29,
      architecture: 'x86_64',
      accelerator: 'none',
      acceleratorCount: 0,
    });
    expect(instanceType('t3.small')).toMatchObject({ vcpu: 2, memoryMiB: 2048, maxPods: 11 });
    expect(instanceType('p5.48xlarge')).toMatchObject({
      vcpu: 192,
      memoryMiB: 2097152,
      accelerator: 'nvidia',
      acceleratorCount: 8,
    });
    expect(instanceType('g5g.xlarge')).toMatchObject({ architecture: 'arm64', accelerator: 'nvidia' });
    expect(instanceType('inf2.xlarge')).toMatchObject({ accelerator: 'neuron', acceleratorCount: 1 });
    expect(instanceType('inf2.48xlarge')).toMatchObject({ accelerator: 'neuron', acceleratorCount: 12 });
    expect(instanceType('trn1.32xlarge')).toMatchObject({ accelerator: 'neuron', acceleratorCount: 16 });
    expect(instanceType('m8g.large')).toMatchObject({ architecture: 'arm64', accelerator: 'none' });
  });

  it('covers every generation and kind of hardware EKS managed node groups run on AL2023', () => {
    const families = new Set(INSTANCE_TYPE_NAMES.map((n) => n.split('.')[0]));
    // Intel, AMD, Graviton 2-4, burstable, NVMe, memory, NVIDIA x86 and Graviton, Inferentia, Trainium.
    for (const family of [
      'm5',
      'm6i',
      'm7i',
      'c7i',
      'r7i',
      'm7a',
      'm6g',
      'm7g',
      'm8g',
      't3',
      't3a',
      't4g',
      'm6id',
      'x2idn',
      'g4dn',
      'g5',
      'g6',
      'g6e',
      'p4d',
      'p5',
      'g5g',
      'inf1',
      'inf2',
      'trn1',
    ]) {
      expect(families.has(family), family).toBe(true);
    }
    expect(INSTANCE_TYPE_NAMES.length).toBeGreaterThan(1000);
    expect(CATALOG_SOURCES.karpenter).toMatch(/^[0-9a-f]{40} /);
  });

  it('gives every type a max pods within what kubelet and the VPC CNI allow', () => {
    for (const name of INSTANCE_TYPE_NAMES) {
      const type = instanceType(name);
      expect(type?.maxPods, name).toBeGreaterThanOrEqual(4);
      expect(type?.vcpu, name).toBeGreaterThan(0);
      expect(type?.memoryMiB, name).toBeGreaterThan(0);
    }
  });

  it('rejects a type of a family left out, saying why', () => {
    expect(unknownInstanceTypeProblem('g4ad.xlarge')).toMatch(
      /^instance type "g4ad.xlarge" is left out of the catalog: g4ad: its amd radeon-pro-v520 GPUs: no EKS AL2023 AMI type ships its driver/,
    );
    expect(unknownInstanceTypeProblem('mac2.metal')).toContain('Mac instances run macOS on Dedicated Hosts');
    expect(unknownInstanceTypeProblem('a1.large')).toContain(
      'Amazon Linux 2023 does not support A1 instances',
    );
  });

  it('chooses the AMI type from the architecture and the accelerator', () => {
    expect(nodeGroupHardware(['m7i.large']).amiType).toBe('AL2023_x86_64_STANDARD');
    expect(nodeGroupHardware(['m8g.large']).amiType).toBe('AL2023_ARM_64_STANDARD');
    expect(nodeGroupHardware(['g6.xlarge', 'g5.xlarge'])).toEqual({
      amiType: 'AL2023_x86_64_NVIDIA',
      architecture: 'x86_64',
      accelerator: 'nvidia',
      acceleratorCount: 1,
    });
    expect(nodeGroupHardware(['g5g.xlarge']).amiType).toBe('AL2023_ARM_64_NVIDIA');
    expect(nodeGroupHardware(['trn1.2xlarge']).amiType).toBe('AL2023_x86_64_NEURON');
    expect(() => nodeGroupHardware(['m7i.large', 'g5.xlarge'])).toThrow('mixes accelerators');
  });

  it('offers the catalog as the enum of instance types in the JSON Schema', () => {
    const text = JSON.stringify(platformJsonSchema());
    expect(text).toContain(`"enum":[${JSON.stringify(INSTANCE_TYPE_NAMES[0])},`);
    expect(text).toContain('"p5.48xlarge"');
  });
});

describe('node groups refused at load', () => {
  const problem = (instanceTypes: string[]): string => {
    try {
      fixtureConfig('prod', (raw) => {
        raw.clusters[0].nodeGroups[1].instanceTypes = instanceTypes;
      });
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('rejects a group mixing vCPU and memory sizes, citing cluster-autoscaler', () => {
    expect(problem(['m6i.xlarge', 'm6i.2xlarge'])).toContain(
      'prod.yaml: clusters[0].nodeGroups[1].instanceTypes: mixes sizes (4 vCPU 16 GiB: m6i.xlarge; 8 vCPU 32 GiB: m6i.2xlarge): cluster-autoscaler builds a group\'s node template from one instance type, so every type of a group needs the same vCPU and memory (cluster-autoscaler AWS README, "Using Mixed Instances Policies and Spot Instances")',
    );
    expect(problem(['m6i.xlarge', 'c6i.xlarge'])).toContain(
      'mixes sizes (4 vCPU 16 GiB: m6i.xlarge; 4 vCPU 8 GiB: c6i.xlarge)',
    );
  });

  it('rejects a group mixing accelerator kinds, which need different AMI types', () => {
    expect(problem(['g5.xlarge', 'inf2.xlarge'])).toContain(
      'clusters[0].nodeGroups[1].instanceTypes: mixes accelerators (nvidia: g5.xlarge; neuron: inf2.xlarge): a node group runs a single AMI type (STANDARD, NVIDIA or NEURON), so use one accelerator kind per group',
    );
    expect(problem(['m5.xlarge', 'g4dn.xlarge'])).toContain(
      'mixes accelerators (none: m5.xlarge; nvidia: g4dn.xlarge)',
    );
  });

  it('rejects a group mixing GPU counts of the same size, which one node template cannot state', () => {
    // 96 vCPU and 384 GiB each; 8 T4 GPUs against 4 A10G.
    expect(problem(['g4dn.metal', 'g5.24xlarge'])).toContain(
      'clusters[0].nodeGroups[1].instanceTypes: mixes accelerator counts (8 nvidia: g4dn.metal; 4 nvidia: g5.24xlarge)',
    );
    expect(instanceTypesProblem(['g5.24xlarge', 'g6.24xlarge'])).toBeUndefined();
  });

  it('rejects an unknown instance type, naming the known sizes of its family', () => {
    expect(problem(['g5.3xlarge'])).toContain(
      'clusters[0].nodeGroups[1].instanceTypes[0]: unknown instance type "g5.3xlarge" (known g5 sizes: xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge, 24xlarge, 48xlarge); a type newer than the catalog needs `npm run refresh:instance-types`',
    );
  });

  it('accepts the spot group of the prod fixture: m6i, m5 and m5a xlarge share 4 vCPU and 16 GiB', () => {
    expect(instanceTypesProblem(['m6i.xlarge', 'm5.xlarge', 'm5a.xlarge'])).toBeUndefined();
    expect(instanceTypesProblem(['t3.xlarge', 't3a.xlarge'])).toBeUndefined();
  });
});

describe('npm run refresh:instance-types', () => {
  const sources = join(ROOT, 'test', 'fixtures', 'instance-catalog-sources');
  const read = (file: string) => readFileSync(join(sources, file), 'utf8');
  const karpenter = parseKarpenterReference(read('karpenter-instance-types.md'));
  const maxPods = parseEksAmiInstanceInfo(read('instance-info.jsonl'));
  const autoscaler = parseClusterAutoscalerTypes(read('ec2_instance_types.go'));
  const catalog = buildCatalog(karpenter, maxPods, autoscaler);

  it('takes specs and accelerators from Karpenter and max pods from the EKS AMI', () => {
    expect(catalog.types['m5.large']).toEqual({
      vcpu: 2,
      memoryMiB: 8192,
      maxPods: 29,
      architecture: 'x86_64',
      accelerator: 'none',
      acceleratorCount: 0,
    });
    expect(catalog.types['inf2.xlarge']).toMatchObject({
      accelerator: 'neuron',
      acceleratorCount: 1,
      maxPods: 58,
    });
    expect(catalog.types['g5g.xlarge']).toMatchObject({ architecture: 'arm64', accelerator: 'nvidia' });
    // A fractional L4 GPU needs the NVIDIA AMI but offers no whole nvidia.com/gpu.
    expect(catalog.types['g6f.large']).toMatchObject({ accelerator: 'nvidia', acceleratorCount: 0 });
    // Not yet in instance-info.jsonl: no max pods, so it waits for the next refresh.
    expect(catalog.types['p5.48xlarge']).toBeUndefined();
  });

  it('leaves out the families no AL2023 AMI type can run, with the reason', () => {
    expect(Object.keys(catalog.types).sort()).toEqual(['g5g.xlarge', 'g6f.large', 'inf2.xlarge', 'm5.large']);
    expect(catalog.excluded['g4ad']).toMatch(
      /^its amd radeon-pro-v520 GPUs: no EKS AL2023 AMI type ships its driver/,
    );
    expect(catalog.excluded['dl2q']).toMatch(/^its qualcomm qualcomm-ai100 accelerators/);
    expect(catalog.excluded['g7']).toContain('driver 595');
    expect(catalog.excluded['a1']).toContain('does not support A1');
    expect(catalog.excluded['mac1']).toContain('macOS');
    expect(catalog.excluded['f1']).toContain('FPGAs');
    expect(catalog.excluded['u-6tb1']).toBe(
      "not in Karpenter's list of types that launch with the EKS AL2023 AMIs",
    );
  });

  it('fails when cluster-autoscaler disagrees with Karpenter on a type both list', () => {
    const wrong = new Map(autoscaler);
    wrong.set('m5.large', { vcpu: 2, memoryMiB: 4096, architecture: 'x86_64', resources: {} });
    expect(() => buildCatalog(karpenter, maxPods, wrong)).toThrow(
      'the sources disagree:\nm5.large: karpenter 2 vCPU 8192 MiB x86_64, cluster-autoscaler 2 vCPU 4096 MiB x86_64',
    );
  });

  it('writes a module that names its sources and lists one type per line', () => {
    const text = renderCatalogModule(catalog, { karpenter: 'abc', eksAmi: 'v1' });
    expect(text).toContain('GENERATED by scripts/refresh-instance-types.ts');
    expect(text).toContain("  'm5.large': [2, 8192, 29, 'x86_64', 'none', 0],");
    expect(text).toContain("  'inf2.xlarge': [4, 16384, 58, 'x86_64', 'neuron', 1],");
    expect(text).toContain("eksAmi: 'v1',");
  });

  it('regenerates the committed catalog byte for byte from the same rows', () => {
    // The committed module is what renderCatalogModule writes: nobody edited it by hand.
    const committed = readFileSync(join(ROOT, 'platform', 'data', 'instance-types.ts'), 'utf8');
    const rows = Object.fromEntries(
      INSTANCE_TYPE_NAMES.map((name) => {
        const t = instanceType(name);
        if (t === undefined) throw new Error(name);
        return [name, t];
      }),
    );
    expect(renderCatalogModule({ types: rows, excluded: EXCLUDED_FAMILIES }, CATALOG_SOURCES)).toBe(
      committed,
    );
  });
});
