/**
 * Rule `scheduling` (DESIGN §8): every pod can be placed by some node group of its cluster — its
 * nodeSelector and required node affinity match the group's labels, it tolerates the group's
 * NoSchedule/NoExecute taints — and its requests (CPU, memory, GPUs and Neuron devices) fit the
 * largest instance type of such a group.
 * A DaemonSet is covered differently: it runs one pod on every node its selectors and tolerations
 * allow, so it must target at least one node group (one that targets none runs nowhere, silently),
 * and its pod must fit every instance type of every group it targets (a node where it does not fit
 * keeps a Pending daemon pod, and the node agent is missing there).
 * Labels, taints and instance types are read from the cluster's Terraform JSON, so the check is
 * on what is deployed, not on what config meant.
 */
import { ACCELERATOR_RESOURCES, instanceType } from '../../platform/instance-types';
import { EKS_NODEGROUP_LABEL, EKS_TAINT_EFFECTS, HOSTNAME_LABEL, ZONE_LABEL } from '../../platform/names';
import { parseCpu, parseMemory } from '../../platform/quantity';
import type { RenderedStack } from '../render';
import { type PodSpec, podTemplates } from './pod-templates';
import { type Finding, objectAnnotations, type Rule, type RuleInput } from './rule';
import { blockList, blocksOf } from './terraform-json';

interface NodeGroup {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { key: string; value: string; effect: string }[];
  readonly instanceTypes: readonly string[];
}

/** EKS API effect -> Kubernetes effect: the inverse of what the node group construct writes. */
const EFFECTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EKS_TAINT_EFFECTS).map(([kubernetes, eks]) => [eks, kubernetes]),
);

/** Labels every node has whatever its group, with values this check cannot know in advance. */
const ANY_VALUE_LABELS = [HOSTNAME_LABEL, ZONE_LABEL, 'topology.kubernetes.io/region'];

function nodeGroupsOf(stack: RenderedStack): NodeGroup[] {
  return blocksOf(stack, 'aws_eks_node_group').map(([, group]) => {
    const types = (group.instance_types ?? []) as string[];
    const arm = types.some((t) => instanceType(t)?.architecture === 'arm64');
    return {
      name: String(group.node_group_name),
      // Labels kubelet and EKS set on every managed node, then the group's own.
      labels: {
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arm ? 'arm64' : 'amd64',
        [EKS_NODEGROUP_LABEL]: String(group.node_group_name),
        'eks.amazonaws.com/capacityType': String(group.capacity_type ?? 'ON_DEMAND'),
        ...(group.labels ?? {}),
      },
      taints: blockList(group.taint).map((t) => ({
        key: String(t.key),
        value: String(t.value ?? ''),
        effect: EFFECTS[t.effect] ?? t.effect,
      })),
      instanceTypes: types,
    };
  });
}

function labelMatches(group: NodeGroup, key: string, operator: string, values: readonly string[]): boolean {
  const anyValue = ANY_VALUE_LABELS.includes(key);
  const value = group.labels[key];
  // A node group of several instance types has nodes of each: the label takes any of them.
  const instanceTypeLabel = key === 'node.kubernetes.io/instance-type';
  switch (operator) {
    case 'In':
      return (
        anyValue ||
        (instanceTypeLabel
          ? group.instanceTypes.some((t) => values.includes(t))
          : value !== undefined && values.includes(value))
      );
    case 'NotIn':
      return (
        anyValue ||
        (instanceTypeLabel
          ? group.instanceTypes.some((t) => !values.includes(t))
          : value === undefined || !values.includes(value))
      );
    case 'Exists':
      return anyValue || instanceTypeLabel || value !== undefined;
    case 'DoesNotExist':
      return !anyValue && !instanceTypeLabel && value === undefined;
    default:
      return false;
  }
}

/** Why a pod cannot go to a group, or undefined when it can. */
function placementProblem(spec: PodSpec, group: NodeGroup): string | undefined {
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) {
    if (!labelMatches(group, key, 'In', [value])) return `nodeSelector ${key}=${value}`;
  }
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms !== undefined && terms.length > 0) {
    const fits = terms.some((term) =>
      (term.matchExpressions ?? []).every((e) => labelMatches(group, e.key, e.operator, e.values ?? [])),
    );
    if (!fits) {
      const wanted = terms.flatMap((t) =>
        (t.matchExpressions ?? []).map((e) => `${e.key} ${e.operator} [${(e.values ?? []).join(',')}]`),
      );
      return `required node affinity ${wanted.join(' / ')}`;
    }
  }
  for (const taint of group.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    const tolerated = (spec.tolerations ?? []).some(
      (t) =>
        (t.effect === undefined || t.effect === '' || t.effect === taint.effect) &&
        ((t.operator === 'Exists' && (t.key === undefined || t.key === '' || t.key === taint.key)) ||
          (t.key === taint.key && (t.value ?? '') === taint.value)),
    );
    if (!tolerated) return `untolerated taint ${taint.key}=${taint.value}:${taint.effect}`;
  }
  return undefined;
}

/**
 * What a node of this type offers pods: capacity minus the kube-reserved EKS AMIs compute
 * (https://github.com/awslabs/amazon-eks-ami/blob/main/nodeadm/internal/kubelet/config.go:
 * memory 255 MiB + 11 MiB per pod, CPU 6% of the first core, 1% of the second, 0.5% of the next
 * two, 0.25% of the rest) and the 100 MiB hard eviction threshold.
 */
export function allocatable(name: string): { cpuMillis: number; memoryBytes: number } | undefined {
  const type = instanceType(name);
  if (type === undefined) return undefined;
  const cores = type.vcpu;
  const reservedCpu =
    60 + (cores > 1 ? 10 : 0) + Math.max(0, Math.min(cores, 4) - 2) * 5 + Math.max(0, cores - 4) * 2.5;
  const reservedMiB = 255 + 11 * type.maxPods + 100;
  return { cpuMillis: cores * 1000 - reservedCpu, memoryBytes: (type.memoryMiB - reservedMiB) * 2 ** 20 };
}

/** The accelerator devices a node of this type offers, by extended resource name. */
export function acceleratorDevices(name: string): Readonly<Record<string, number>> {
  const type = instanceType(name);
  if (type === undefined || type.accelerator === 'none') return {};
  return { [ACCELERATOR_RESOURCES[type.accelerator]]: type.acceleratorCount };
}

const DEVICE_RESOURCES: readonly string[] = Object.values(ACCELERATOR_RESOURCES);

interface Requests {
  readonly cpu: number;
  readonly memory: number;
  readonly devices: Readonly<Record<string, number>>;
}

function podRequests(spec: PodSpec): Requests {
  const sum = (list: PodSpec['containers']): Requests =>
    (list ?? []).reduce<Requests>(
      (acc, c) => ({
        cpu: acc.cpu + (parseCpu(c.resources?.requests?.cpu ?? '0') ?? 0),
        memory: acc.memory + (parseMemory(c.resources?.requests?.memory ?? '0') ?? 0),
        // Extended resources are whole devices; a request defaults to the limit
        // (https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/).
        devices: Object.fromEntries(
          DEVICE_RESOURCES.map((r) => [
            r,
            (acc.devices[r] ?? 0) + Number(c.resources?.requests?.[r] ?? c.resources?.limits?.[r] ?? 0),
          ]),
        ),
      }),
      { cpu: 0, memory: 0, devices: {} },
    );
  const main = sum(spec.containers);
  // Init containers run one at a time, before the others: the pod needs the larger of the two.
  const init = (spec.initContainers ?? []).map((c) => sum([c]));
  return {
    cpu: Math.max(main.cpu, ...init.map((i) => i.cpu)),
    memory: Math.max(main.memory, ...init.map((i) => i.memory)),
    devices: Object.fromEntries(
      DEVICE_RESOURCES.map((r) => [r, Math.max(main.devices[r] ?? 0, ...init.map((i) => i.devices[r] ?? 0))]),
    ),
  };
}

/** Whether a pod's requests fit the allocatable and the devices of one instance type. */
function fitsType(requests: Requests, type: string): boolean {
  const room = allocatable(type);
  const devices = acceleratorDevices(type);
  return (
    room !== undefined &&
    requests.cpu <= room.cpuMillis &&
    requests.memory <= room.memoryBytes &&
    DEVICE_RESOURCES.every((r) => (requests.devices[r] ?? 0) <= (devices[r] ?? 0))
  );
}

export const schedulingRule: Rule<'scheduling'> = {
  id: 'scheduling',
  summary:
    "Every pod can be placed by some node group of its cluster, as the Terraform JSON defines them: its nodeSelector and required node affinity match the group's labels, it tolerates the group's taints, and its requests (CPU, memory, GPUs, Neuron devices) fit the allocatable of one of the group's instance types; otherwise it stays Pending. A DaemonSet runs a pod on every node it may use, so it must target at least one node group (one that targets none runs nowhere) and its pod must fit every instance type of every group it targets.",
  check: schedulingFindings,
};

function schedulingFindings({ rendering }: RuleInput): Finding[] {
  const { objects, stacks } = rendering;
  const findings: Finding[] = [];
  const groupsByCluster = new Map(stacks.map((s) => [s.name, nodeGroupsOf(s)]));
  for (const pod of podTemplates(objects)) {
    const groups = groupsByCluster.get(pod.source.cluster) ?? [];
    const subject = objectAnnotations(pod.source.object);
    const report = (message: string) => findings.push({ file: pod.source.path, message, subject });
    if (groups.length === 0) {
      report(`no node group found for cluster ${pod.source.cluster} in the Terraform JSON`);
      continue;
    }
    const problems = groups.map((g) => ({ group: g, problem: placementProblem(pod.spec, g) }));
    const eligible = problems.filter((p) => p.problem === undefined).map((p) => p.group);
    const daemonSet = pod.source.object.kind === 'DaemonSet';
    const why = problems.map((p) => `${p.group.name}: ${p.problem}`).join('; ');
    if (eligible.length === 0) {
      report(
        daemonSet
          ? `DaemonSet targets no node group of ${pod.source.cluster}, so it runs no pod: ${why}`
          : `no node group of ${pod.source.cluster} can run this pod: ${why}`,
      );
      continue;
    }
    const requests = podRequests(pod.spec);
    const devices = DEVICE_RESOURCES.filter((r) => (requests.devices[r] ?? 0) > 0).map(
      (r) => `, ${r} ${requests.devices[r]}`,
    );
    const asked = `requests (cpu ${requests.cpu}m, memory ${Math.round(requests.memory / 2 ** 20)}Mi${devices.join('')})`;
    const typesOf = (list: readonly NodeGroup[]) =>
      list.flatMap((g) => g.instanceTypes.map((t) => ({ group: g.name, type: t })));
    if (daemonSet) {
      // One pod on every node of every group it targets: it must fit each of their types.
      const misfits = typesOf(eligible).filter(({ type }) => !fitsType(requests, type));
      if (misfits.length > 0) {
        report(
          `${asked} do not fit the allocatable of ${misfits.map((m) => `${m.group}: ${m.type}`).join(', ')}: the DaemonSet runs a pod on every node of the groups it targets, and it stays Pending on those`,
        );
      }
      continue;
    }
    if (!typesOf(eligible).some(({ type }) => fitsType(requests, type))) {
      const largest = typesOf(eligible).map((m) => `${m.group}: ${m.type}`);
      report(`${asked} fit no allocatable of the node groups it may use (${largest.join(', ')})`);
    }
  }
  return findings;
}
