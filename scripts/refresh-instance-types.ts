/**
 * Regenerates platform/data/instance-types.ts, the instance catalog, from upstream files that are
 * themselves generated from the EC2 API and kept up to date by their projects. Nothing in the
 * catalog is typed by hand: to change it, refresh from newer upstream files.
 *
 *   npm run refresh:instance-types -- \
 *     --karpenter <instance-types.md> --karpenter-ref <commit> \
 *     --eks-ami <instance-info.jsonl> --eks-ami-ref <tag or commit> \
 *     [--cluster-autoscaler <ec2_instance_types.go> --cluster-autoscaler-ref <commit>] \
 *     [--out <file>]   (default platform/data/instance-types.ts)
 *
 * The refs are written into the generated file's header: give the commit (and tag) the files
 * were downloaded at. Review the diff of platform/data/instance-types.ts like any other change.
 * Runs offline from local copies, so download the files first (any machine with network):
 *   https://raw.githubusercontent.com/aws/karpenter-provider-aws/<commit>/website/content/en/<version>/reference/instance-types.md
 *   https://raw.githubusercontent.com/awslabs/amazon-eks-ami/<tag>/nodeadm/internal/kubelet/instance-info.jsonl
 *   https://raw.githubusercontent.com/kubernetes/autoscaler/<commit>/cluster-autoscaler/cloudprovider/aws/ec2_instance_types.go
 *
 * The sources and what each gives:
 * - Karpenter's instance type reference (aws/karpenter-provider-aws, generated each release by
 *   hack/docs/instancetypes_gen from DescribeInstanceTypes in us-east-1, us-east-2 and us-west-2,
 *   "amiFamily is set to AL2023"): the list of types, vCPU, memory, architecture, and the
 *   accelerators with the extended resource their device plugin advertises (`nvidia.com/gpu`,
 *   `aws.amazon.com/neuron`, `amd.com/gpu`) and its count. It is the one upstream that names
 *   the accelerator maker and counts Inferentia/Trainium devices.
 * - amazon-eks-ami's nodeadm/internal/kubelet/instance-info.jsonl (refreshed daily by its
 *   sync-eni-max-pods workflow from DescribeInstanceTypes in every region): ENIs and IPv4
 *   addresses per ENI, from which nodeadm computes kubelet's maxPods on AL2023 nodes as
 *   ENIs × (IPv4 per ENI − 1) + 2 (nodeadm/internal/kubelet/eni_max_pods.go). It replaced
 *   templates/shared/runtime/eni-max-pods.txt, deleted upstream in 72b60466 (March 2026), with
 *   the same values.
 * - cluster-autoscaler's ec2_instance_types.go (optional): a cross-check. The refresh fails when
 *   it disagrees with Karpenter's vCPU, memory or architecture for a type both list.
 *
 * A type is in the catalog when Karpenter's AL2023 reference and instance-info.jsonl both list it
 * and its accelerator has an EKS AL2023 AMI type that ships the driver. Families left out are
 * written to the catalog with the reason, so the config error can say why.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AcceleratorKind, Architecture, InstanceType } from '../platform/instance-types';

export interface SpecEntry {
  readonly vcpu: number;
  readonly memoryMiB: number;
  readonly architecture: Architecture;
  /** Extended resources the node's device plugins advertise (nvidia.com/gpu: 8). */
  readonly resources: Readonly<Record<string, number>>;
  readonly gpuManufacturer?: string;
  readonly gpuName?: string;
  readonly acceleratorManufacturer?: string;
  readonly acceleratorName?: string;
}

/** One generated row: exactly what the catalog serves (platform/instance-types.ts). */
export type CatalogEntry = InstanceType;

export interface Catalog {
  readonly types: Readonly<Record<string, CatalogEntry>>;
  /** Instance family -> why the catalog leaves it out. */
  readonly excluded: Readonly<Record<string, string>>;
}

const ARCHITECTURES: Readonly<Record<string, Architecture>> = { amd64: 'x86_64', arm64: 'arm64' };

/** Parses Karpenter's generated instance-types.md: one `### \`type\`` section per type. */
export function parseKarpenterReference(text: string): Map<string, SpecEntry> {
  const specs = new Map<string, SpecEntry>();
  let name: string | undefined;
  let rows: Record<string, string> = {};
  const flush = () => {
    if (name === undefined) return;
    const at = (key: string) => {
      const value = rows[key];
      if (value === undefined) throw new Error(`karpenter reference: ${name} has no ${key}`);
      return value;
    };
    const architecture = ARCHITECTURES[at('kubernetes.io/arch')];
    if (architecture === undefined) throw new Error(`karpenter reference: ${name}: unknown arch`);
    const resources: Record<string, number> = {};
    for (const resource of ['nvidia.com/gpu', 'aws.amazon.com/neuron', 'amd.com/gpu']) {
      if (rows[resource] !== undefined) resources[resource] = integer(rows[resource], `${name} ${resource}`);
    }
    specs.set(name, {
      vcpu: integer(at('karpenter.k8s.aws/instance-cpu'), `${name} cpu`),
      memoryMiB: integer(at('karpenter.k8s.aws/instance-memory'), `${name} memory`),
      architecture,
      resources,
      gpuManufacturer: rows['karpenter.k8s.aws/instance-gpu-manufacturer'],
      gpuName: rows['karpenter.k8s.aws/instance-gpu-name'],
      acceleratorManufacturer: rows['karpenter.k8s.aws/instance-accelerator-manufacturer'],
      acceleratorName: rows['karpenter.k8s.aws/instance-accelerator-name'],
    });
  };
  for (const line of text.split('\n')) {
    const heading = /^### `([^`]+)`$/.exec(line);
    if (heading) {
      flush();
      name = heading[1];
      rows = {};
      continue;
    }
    const row = /^ \|([^|]+)\|([^|]*)\|$/.exec(line);
    if (name !== undefined && row?.[1] !== undefined && row[2] !== undefined) rows[row[1]] = row[2];
  }
  flush();
  if (specs.size === 0) throw new Error('karpenter reference: no instance type found');
  return specs;
}

/** Parses instance-info.jsonl into kubelet maxPods per type, as nodeadm computes it. */
export function parseEksAmiInstanceInfo(text: string): Map<string, number> {
  const maxPods = new Map<string, number>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const info = JSON.parse(line) as {
      instanceType?: string;
      defaultMaxENIs?: number;
      ipv4AddressesPerInterface?: number;
    };
    const { instanceType, defaultMaxENIs: enis, ipv4AddressesPerInterface: ips } = info;
    if (typeof instanceType !== 'string' || typeof enis !== 'number' || typeof ips !== 'number') {
      throw new Error(`instance-info.jsonl line ${index + 1}: unexpected record ${line}`);
    }
    // nodeadm/internal/kubelet/eni_max_pods.go calculateStandardMaxPods.
    maxPods.set(instanceType, enis * (ips - 1) + 2);
  }
  if (maxPods.size === 0) throw new Error('instance-info.jsonl: no instance type found');
  return maxPods;
}

/** Parses cluster-autoscaler's ec2_instance_types.go (the cross-check). */
export function parseClusterAutoscalerTypes(text: string): Map<string, SpecEntry> {
  const specs = new Map<string, SpecEntry>();
  const entry =
    /InstanceType:\s*"([^"]+)",\s*VCPU:\s*(\d+),\s*MemoryMb:\s*(\d+),\s*GPU:\s*(\d+),\s*Architecture:\s*"([^"]+)"/g;
  for (const m of text.matchAll(entry)) {
    const [, name, vcpu, memory, , arch] = m;
    const architecture = ARCHITECTURES[arch ?? ''];
    if (name === undefined || architecture === undefined) continue;
    specs.set(name, { vcpu: Number(vcpu), memoryMiB: Number(memory), architecture, resources: {} });
  }
  if (specs.size === 0) throw new Error('ec2_instance_types.go: no instance type found');
  return specs;
}

function integer(text: string | undefined, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${what}: not an integer: ${text}`);
  return value;
}

export function familyOf(name: string): string {
  return name.split('.')[0] ?? name;
}

const DRIVERLESS =
  'no EKS AL2023 AMI type ships its driver (amiType: AL2023_x86_64_STANDARD, AL2023_ARM_64_STANDARD, ' +
  'AL2023_x86_64_NVIDIA, AL2023_ARM_64_NVIDIA, AL2023_x86_64_NEURON; ' +
  'https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html)';

/**
 * Families excluded for a reason the sources cannot tell, each with where the fact comes from.
 * Checked against the sources: a family listed here that upstream still offers is left out.
 */
const KNOWN_EXCLUSIONS: Readonly<Record<string, string>> = {
  // https://docs.aws.amazon.com/batch/latest/APIReference/API_Ec2Configuration.html (ECS_AL2023)
  a1: 'Amazon Linux 2023 does not support A1 instances (first-generation Graviton); use a Graviton2 or later family such as m6g',
  // https://github.com/awslabs/amazon-eks-ami/blob/main/doc/usage/g7-ami.md
  g7: 'its NVIDIA RTX PRO 4500 GPUs need driver 595 or later; the EKS AL2023 NVIDIA AMI ships driver 580 (amazon-eks-ami doc/usage/g7-ami.md)',
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-mac-instances.html
  mac: 'Mac instances run macOS on Dedicated Hosts; there is no EKS AMI for them',
  dl1: `its Habana Gaudi accelerators: ${DRIVERLESS}`,
  f1: `its FPGAs: ${DRIVERLESS}`,
};

function knownExclusion(family: string): string | undefined {
  if (family.startsWith('mac')) return KNOWN_EXCLUSIONS.mac;
  return KNOWN_EXCLUSIONS[family];
}

/** The accelerator kind a type needs, or why no AL2023 AMI type can drive it. */
function acceleratorOf(spec: SpecEntry): { kind: AcceleratorKind; count: number } | { problem: string } {
  const nvidia = spec.resources['nvidia.com/gpu'];
  const neuron = spec.resources['aws.amazon.com/neuron'];
  if (spec.gpuManufacturer === 'nvidia') {
    // Fractional L4 GPUs (g6f, gr6f) advertise no whole GPU; the NVIDIA AMI loads their GRID
    // driver (amazon-eks-ami templates/al2023/runtime/gpu/nvidia-kmod-load.sh).
    return { kind: 'nvidia', count: nvidia ?? 0 };
  }
  if (spec.gpuManufacturer !== undefined) {
    return { problem: `its ${spec.gpuManufacturer} ${spec.gpuName ?? ''} GPUs: ${DRIVERLESS}` };
  }
  if (spec.acceleratorManufacturer === 'aws' && neuron !== undefined) {
    // Inferentia and Trainium: https://awsdocs-neuron.readthedocs-hosted.com/en/latest/containers/tutorials/k8s-neuron-device-plugin.html
    if (spec.architecture !== 'x86_64') return { problem: `its Neuron devices on arm64: ${DRIVERLESS}` };
    return { kind: 'neuron', count: neuron };
  }
  if (spec.acceleratorManufacturer !== undefined) {
    return {
      problem: `its ${spec.acceleratorManufacturer} ${spec.acceleratorName ?? ''} accelerators: ${DRIVERLESS}`,
    };
  }
  return { kind: 'none', count: 0 };
}

export function buildCatalog(
  karpenter: ReadonlyMap<string, SpecEntry>,
  maxPods: ReadonlyMap<string, number>,
  crossCheck?: ReadonlyMap<string, SpecEntry>,
): Catalog {
  const types: Record<string, CatalogEntry> = {};
  const excluded: Record<string, string> = {};
  const disagreements: string[] = [];
  for (const [name, spec] of karpenter) {
    const family = familyOf(name);
    const other = crossCheck?.get(name);
    if (
      other !== undefined &&
      (other.vcpu !== spec.vcpu ||
        other.memoryMiB !== spec.memoryMiB ||
        other.architecture !== spec.architecture)
    ) {
      disagreements.push(
        `${name}: karpenter ${spec.vcpu} vCPU ${spec.memoryMiB} MiB ${spec.architecture}, cluster-autoscaler ${other.vcpu} vCPU ${other.memoryMiB} MiB ${other.architecture}`,
      );
    }
    const reason = knownExclusion(family);
    const accelerator = acceleratorOf(spec);
    if (reason !== undefined || 'problem' in accelerator) {
      excluded[family] = reason ?? (accelerator as { problem: string }).problem;
      continue;
    }
    const pods = maxPods.get(name);
    // Types in Karpenter's reference but not yet in instance-info.jsonl wait for the next refresh.
    if (pods === undefined) continue;
    types[name] = {
      vcpu: spec.vcpu,
      memoryMiB: spec.memoryMiB,
      maxPods: pods,
      architecture: spec.architecture,
      accelerator: accelerator.kind,
      acceleratorCount: accelerator.count,
    };
  }
  if (disagreements.length > 0) {
    throw new Error(`the sources disagree:\n${disagreements.join('\n')}`);
  }
  // Families EC2 offers that Karpenter's AL2023 reference does not list at all.
  const others = [...maxPods.keys(), ...(crossCheck?.keys() ?? [])].map(familyOf);
  for (const family of others.sort()) {
    if (excluded[family] !== undefined || Object.keys(types).some((t) => familyOf(t) === family)) continue;
    excluded[family] =
      knownExclusion(family) ?? "not in Karpenter's list of types that launch with the EKS AL2023 AMIs";
  }
  // By family, then from the smallest size up, as AWS lists them.
  const sortedTypes = Object.entries(types).sort(
    ([a, x], [b, y]) =>
      compare(familyOf(a), familyOf(b)) || x.vcpu - y.vcpu || x.memoryMiB - y.memoryMiB || compare(a, b),
  );
  const sortedExcluded = Object.entries(excluded).sort(([a], [b]) => compare(a, b));
  return { types: Object.fromEntries(sortedTypes), excluded: Object.fromEntries(sortedExcluded) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface SourceRefs {
  readonly karpenter: string;
  readonly eksAmi: string;
  readonly clusterAutoscaler?: string;
}

/** The TypeScript module, formatted as biome formats it (one type per line). */
export function renderCatalogModule(catalog: Catalog, refs: SourceRefs): string {
  // Biome's quotes: single, or double when that saves escaping a single quote.
  const q = (text: string) =>
    text.includes("'") && !text.includes('"')
      ? `"${text.replace(/\\/g, '\\\\')}"`
      : `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [
    '/**',
    ' * GENERATED by scripts/refresh-instance-types.ts (`npm run refresh:instance-types`): do not edit.',
    ' *',
    ' * Sources:',
    ` * - aws/karpenter-provider-aws ${refs.karpenter}: vCPU, memory, architecture, accelerators`,
    ` * - awslabs/amazon-eks-ami ${refs.eksAmi} nodeadm/internal/kubelet/instance-info.jsonl: max pods`,
    ...(refs.clusterAutoscaler === undefined
      ? []
      : [
          ` * - kubernetes/autoscaler ${refs.clusterAutoscaler} cluster-autoscaler/cloudprovider/aws/ec2_instance_types.go: cross-check`,
        ]),
    ' */',
    '',
    'export const INSTANCE_TYPE_SOURCES = {',
    `  karpenter: ${q(refs.karpenter)},`,
    `  eksAmi: ${q(refs.eksAmi)},`,
    ...(refs.clusterAutoscaler === undefined ? [] : [`  clusterAutoscaler: ${q(refs.clusterAutoscaler)},`]),
    '} as const;',
    '',
    '/** [vCPU, memory MiB, max pods, architecture, accelerator, accelerator count] */',
    'export type InstanceTypeRow = readonly [',
    '  number,',
    '  number,',
    '  number,',
    "  'x86_64' | 'arm64',",
    "  'none' | 'nvidia' | 'neuron',",
    '  number,',
    '];',
    '',
    'export const INSTANCE_TYPE_ROWS: Readonly<Record<string, InstanceTypeRow>> = {',
    ...Object.entries(catalog.types).map(
      ([name, t]) =>
        `  ${q(name)}: [${t.vcpu}, ${t.memoryMiB}, ${t.maxPods}, ${q(t.architecture)}, ${q(t.accelerator)}, ${t.acceleratorCount}],`,
    ),
    '};',
    '',
    '/** Instance families the sources list that the catalog leaves out, with the reason. */',
    'export const EXCLUDED_FAMILIES: Readonly<Record<string, string>> = {',
    ...Object.entries(catalog.excluded).map(([family, reason]) => {
      const key = /^[a-z_][a-z0-9_]*$/.test(family) ? family : q(family);
      return `  ${key}: ${q(reason)},`;
    }),
    '};',
    '',
  ];
  return lines.join('\n');
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      karpenter: { type: 'string' },
      'karpenter-ref': { type: 'string' },
      'eks-ami': { type: 'string' },
      'eks-ami-ref': { type: 'string' },
      'cluster-autoscaler': { type: 'string' },
      'cluster-autoscaler-ref': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const required = ['karpenter', 'karpenter-ref', 'eks-ami', 'eks-ami-ref'] as const;
  const missing = required.filter((key) => values[key] === undefined);
  if (
    missing.length > 0 ||
    (values['cluster-autoscaler'] === undefined) !== (values['cluster-autoscaler-ref'] === undefined)
  ) {
    console.error(
      `refresh-instance-types: missing ${missing.map((m) => `--${m}`).join(', ') || '--cluster-autoscaler with --cluster-autoscaler-ref'}; see the usage at the top of scripts/refresh-instance-types.ts`,
    );
    return 2;
  }
  const read = (path: string) => readFileSync(resolve(path), 'utf8');
  const catalog = buildCatalog(
    parseKarpenterReference(read(values.karpenter as string)),
    parseEksAmiInstanceInfo(read(values['eks-ami'] as string)),
    values['cluster-autoscaler'] === undefined
      ? undefined
      : parseClusterAutoscalerTypes(read(values['cluster-autoscaler'])),
  );
  const out = values.out ?? join(__dirname, '..', 'platform', 'data', 'instance-types.ts');
  writeFileSync(
    out,
    renderCatalogModule(catalog, {
      karpenter: values['karpenter-ref'] as string,
      eksAmi: values['eks-ami-ref'] as string,
      clusterAutoscaler: values['cluster-autoscaler-ref'],
    }),
  );
  const count = Object.keys(catalog.types).length;
  console.log(`refresh-instance-types: wrote ${count} instance types to ${out}`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`refresh-instance-types: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
