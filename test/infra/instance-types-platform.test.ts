/**
 * The acceptance platform of the instance catalog (issue 12, item 5): one node group per kind of
 * hardware, rendered as `npm run synth` renders it and checked with the rules of `npm run check`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { schedulingRule } from '../../cli/rules/scheduling';
import { RUN_AS_ROOT_REASON } from '../../manifests/charts/nvidia-device-plugin-chart';
import { parseConfig } from '../../platform/load';
import { violationsOf } from '../cli/rule-violations';
import { runCli, tempDir } from '../cli/run-cli';
import { ROOT, renderConfigs, resourcesOf, stackOf } from '../helpers';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'instance-types', 'lab.yaml');
const config = parseConfig(readFileSync(FIXTURE, 'utf8'), 'test/fixtures/instance-types/lab.yaml', 'lab');
const rendering = renderConfigs([config]);
const stack = stackOf(rendering, 'lab-blue');
const nodeGroups = resourcesOf(stack, 'aws_eks_node_group');
const asgTags = Object.values(resourcesOf(stack, 'aws_autoscaling_group_tag'));

/** The node groups of a config group (one per zone, or one spanning its zones). */
const groupsOf = (name: string) =>
  Object.values(nodeGroups).filter((g) =>
    new RegExp(`^lab-blue-${name}(-[a-z])?-[0-9a-f]{8}$`).test(g.node_group_name),
  );

/** The node-template tags on the ASGs of a config group's node groups, by tag key. */
function templateTags(name: string): Record<string, string>[] {
  return groupsOf(name).map((group) => {
    const logicalId = Object.entries(nodeGroups).find(([, g]) => g === group)?.[0];
    const asg = `\${aws_eks_node_group.${logicalId}.resources[0].autoscaling_groups[0].name}`;
    return Object.fromEntries(
      asgTags.filter((t) => t.autoscaling_group_name === asg).map((t) => [t.tag.key, t.tag.value]),
    );
  });
}

const GPU = 'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu';
const NEURON = 'k8s.io/cluster-autoscaler/node-template/resources/aws.amazon.com/neuron';

describe('a platform using every kind of hardware of the catalog', () => {
  it('renders and passes every check rule, with the one exception of the NVIDIA device plugin', () => {
    // The device plugin runs as root on the GPU nodes, with its reason on its pod template.
    expect(runRules(ALL_RULES, { rendering: rendering, configs: [config] })).toEqual([
      {
        rule: 'run-as-non-root',
        file: expect.stringMatching(/^lab-blue\/nvidia-device-plugin\//),
        message: expect.any(String),
        exception: RUN_AS_ROOT_REASON,
      },
    ]);
  });

  it('passes `npm run check` after `npm run synth`', () => {
    const dir = join(ROOT, 'test', 'fixtures', 'instance-types');
    const dist = tempDir('dist');
    const synth = runCli(['synth', '--config', dir, '--dist', dist, '--tf-out', tempDir('tfout')]);
    expect(synth.code, synth.stderr).toBe(0);
    const check = runCli(['check', '--config', dir, '--dist', dist]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    const exceptions = check.stdout.split('\n').filter((line) => line.includes('exception'));
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toContain('nvidia-device-plugin');
  });

  it.each([
    ['essential', 'm7i.large', 'AL2023_x86_64_STANDARD'],
    ['compute', 'c7i.xlarge', 'AL2023_x86_64_STANDARD'],
    ['memory', 'r7i.large', 'AL2023_x86_64_STANDARD'],
    ['amd', 'm7a.large', 'AL2023_x86_64_STANDARD'],
    ['graviton', 'm8g.large', 'AL2023_ARM_64_STANDARD'],
    ['burst', 't3.small', 'AL2023_x86_64_STANDARD'],
    ['burst-arm', 't4g.small', 'AL2023_ARM_64_STANDARD'],
    ['nvme', 'm6id.large', 'AL2023_x86_64_STANDARD'],
    ['gpu-a10g', 'g5.xlarge', 'AL2023_x86_64_NVIDIA'],
    ['gpu-l4', 'g6.xlarge', 'AL2023_x86_64_NVIDIA'],
    ['gpu-h100', 'p5.48xlarge', 'AL2023_x86_64_NVIDIA'],
    ['gpu-arm', 'g5g.xlarge', 'AL2023_ARM_64_NVIDIA'],
    ['inferentia', 'inf2.xlarge', 'AL2023_x86_64_NEURON'],
  ])('gives group %s (%s) the AMI type %s', (name, type, amiType) => {
    const groups = groupsOf(name);
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(group.instance_types).toEqual([type]);
      expect(group.ami_type).toBe(amiType);
    }
  });

  it.each([
    ['gpu-a10g', '1'],
    ['gpu-l4', '1'],
    ['gpu-h100', '8'],
    ['gpu-arm', '1'],
  ])('tags the ASGs of GPU group %s with %s nvidia.com/gpu, so it scales from zero', (name, count) => {
    const tags = templateTags(name);
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) {
      expect(tag[GPU]).toBe(count);
      expect(tag[NEURON]).toBeUndefined();
      // With the taint hint, a pod that tolerates it and asks for a GPU fits the template.
      expect(tag['k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu']).toBe('true:NoSchedule');
    }
  });

  it('tags the ASGs of the Inferentia group with its Neuron device count', () => {
    const tags = templateTags('inferentia');
    expect(tags.length).toBe(2);
    for (const tag of tags) {
      expect(tag[NEURON]).toBe('1');
      expect(tag[GPU]).toBeUndefined();
    }
  });

  it('puts no accelerator resource tag on groups without an accelerator', () => {
    for (const name of ['essential', 'compute', 'graviton', 'burst', 'nvme']) {
      for (const tag of templateTags(name)) {
        expect(Object.keys(tag).filter((k) => k.includes('/node-template/resources/'))).toEqual([]);
      }
    }
  });
});

describe('rule scheduling with accelerators', () => {
  /** The rendering with the web Deployment's pod asking for devices, on the group of a label. */
  function webAsking(resource: string, count: number, accelerator: string) {
    const objects = structuredClone(rendering.objects) as any[];
    const web = objects.find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'web');
    const spec = web.object.spec.template.spec;
    spec.containers[0].resources.limits = {
      ...spec.containers[0].resources.limits,
      [resource]: String(count),
    };
    spec.nodeSelector = { accelerator };
    // Tolerates every taint: the nodeSelector alone picks the group.
    spec.tolerations = [{ operator: 'Exists' }];
    // Without the replacement digests of the node group names (`lab-blue-gpu-l4-a-1f2e3d4c`).
    return violationsOf(schedulingRule, { objects: objects, stacks: rendering.stacks }).map((v) =>
      v.message.replace(/-[0-9a-f]{8}\b/g, ''),
    );
  }

  it('passes a pod whose GPU or Neuron limits fit the devices of its group', () => {
    expect(webAsking('nvidia.com/gpu', 8, 'nvidia-h100')).toEqual([]);
    expect(webAsking('nvidia.com/gpu', 1, 'nvidia-t4g')).toEqual([]);
    expect(webAsking('aws.amazon.com/neuron', 1, 'inferentia2')).toEqual([]);
  });

  it('fails a pod asking for more GPUs than its group has, or for GPUs on a Neuron group', () => {
    expect(webAsking('nvidia.com/gpu', 2, 'nvidia-l4')).toEqual([
      'requests (cpu 100m, memory 128Mi, nvidia.com/gpu 2) fit no allocatable of the node groups it may use (lab-blue-gpu-l4-a: g6.xlarge, lab-blue-gpu-l4-b: g6.xlarge)',
    ]);
    expect(webAsking('nvidia.com/gpu', 1, 'inferentia2')[0]).toContain(
      'nvidia.com/gpu 1) fit no allocatable of the node groups it may use (lab-blue-inferentia-a: inf2.xlarge',
    );
  });
});
