/**
 * Rule `addon-availability` (issue 13): every Deployment and StatefulSet in kube-system or of an
 * add-on component states how it meets voluntary disruptions — a PodDisruptionBudget selecting its
 * pods, or the `cluster-autoscaler.kubernetes.io/safe-to-evict` annotation on its pod template —
 * and no budget that selects it forbids every eviction.
 *
 * Why both halves: cluster-autoscaler never removes a node holding a kube-system pod without a
 * budget and honours the annotation
 * (https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-1.35.2/cluster-autoscaler/FAQ.md#what-types-of-pods-can-prevent-ca-from-removing-a-node);
 * node drains honour budgets only, and an EKS managed node group update fails with
 * PodEvictionFailure after 15 minutes on a pod whose budget allows no disruption
 * (https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html).
 *
 * DaemonSets (node agents) need neither: their pods never keep cluster-autoscaler from removing a
 * node (not in the FAQ's list above), drains leave them (`kubectl drain --ignore-daemonsets`, and
 * the DaemonSet controller ignores the unschedulable taint), and a budget cannot keep one available
 * elsewhere, since each pod belongs to its node. But cluster-autoscaler evicts the DaemonSet pods
 * of a node it removes (`--daemonset-eviction-for-occupied-nodes`, default true, FAQ "How does
 * scale-down work?"), through the eviction API: a budget selecting them that allows no eviction
 * still stalls it, so that half applies to DaemonSets too.
 */
import { ADDON_COMPONENTS, SAFE_TO_EVICT_ANNOTATION } from '../../platform/names';
import type { RenderedObject } from '../render';
import { selectorMatches } from './label-selectors';
import { podTemplates } from './pod-templates';
import { type Finding, objectAnnotations, type Rule } from './rule';
import type { Json } from './terraform-json';

const ADDONS: readonly string[] = Object.values(ADDON_COMPONENTS);
/** The kinds that must state their disruption choice; DaemonSets are only checked for blocking budgets. */
const KINDS = ['Deployment', 'StatefulSet'];

interface Budget {
  readonly name: string;
  readonly selector: Json;
  readonly maxUnavailable?: number | string;
  readonly minAvailable?: number | string;
}

/** Why a budget allows no eviction of a workload of `replicas` pods, or undefined. */
function blocksEveryEviction(budget: Budget, replicas: number): string | undefined {
  const { maxUnavailable, minAvailable } = budget;
  if (maxUnavailable !== undefined && (maxUnavailable === 0 || maxUnavailable === '0%')) {
    return `maxUnavailable ${JSON.stringify(maxUnavailable)}`;
  }
  if (minAvailable === '100%') return 'minAvailable "100%"';
  if (typeof minAvailable === 'number' && replicas > 0 && minAvailable >= replicas) {
    return `minAvailable ${minAvailable} with ${replicas} replica${replicas === 1 ? '' : 's'}`;
  }
  return undefined;
}

export const addonAvailabilityRule: Rule<'addon-availability'> = {
  id: 'addon-availability',
  summary:
    'Every Deployment and StatefulSet in kube-system or of an add-on has a PodDisruptionBudget selecting its pods or the cluster-autoscaler `safe-to-evict` annotation, and no budget selecting it, or a DaemonSet of kube-system or of an add-on, forbids every eviction: without either, cluster-autoscaler never removes a node holding a kube-system pod and drains evict the others unannounced; a budget allowing no eviction stalls every drain and fails EKS node group updates with PodEvictionFailure. DaemonSets need no budget (drains leave their pods, and they never keep cluster-autoscaler from removing a node), but cluster-autoscaler evicts them from the nodes it removes.',
  check: ({ rendering }) => addonAvailabilityFindings(rendering.objects),
};

function addonAvailabilityFindings(objects: readonly RenderedObject[]): Finding[] {
  const budgets = new Map<string, Budget[]>();
  for (const { cluster, object } of objects) {
    if (object.kind !== 'PodDisruptionBudget') continue;
    const o = object as Json;
    const key = `${cluster}/${o.metadata?.namespace ?? 'default'}`;
    budgets.set(key, [
      ...(budgets.get(key) ?? []),
      {
        name: String(o.metadata?.name),
        selector: o.spec?.selector ?? {},
        maxUnavailable: o.spec?.maxUnavailable,
        minAvailable: o.spec?.minAvailable,
      },
    ]);
  }

  const findings: Finding[] = [];
  for (const pod of podTemplates(objects)) {
    const { source } = pod;
    const o = source.object as Json;
    const namespace = String(o.metadata?.namespace ?? 'default');
    const daemonSet = o.kind === 'DaemonSet';
    if (!KINDS.includes(String(o.kind)) && !daemonSet) continue;
    if (namespace !== 'kube-system' && !ADDONS.includes(source.component)) continue;
    const subject = objectAnnotations(o);
    const report = (field: string, message: string) =>
      findings.push({ file: source.path, message: `${field}: ${message}`, subject });
    const what = `${o.kind} ${namespace}/${o.metadata?.name}`;
    const labels = (o.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
    const selecting = (budgets.get(`${source.cluster}/${namespace}`) ?? []).filter((b) =>
      selectorMatches(b.selector, labels),
    );
    const templateAnnotations = (o.spec?.template?.metadata?.annotations ?? {}) as Record<string, string>;
    const safeToEvict = templateAnnotations[SAFE_TO_EVICT_ANNOTATION];
    const annotationField = `spec.template.metadata.annotations["${SAFE_TO_EVICT_ANNOTATION}"]`;

    if (safeToEvict !== undefined && safeToEvict !== 'true' && safeToEvict !== 'false') {
      report(annotationField, `must be "true" or "false", got ${JSON.stringify(safeToEvict)}`);
    }
    if (selecting.length === 0 && safeToEvict === undefined && !daemonSet) {
      report(
        annotationField,
        `${what} has neither a PodDisruptionBudget selecting its pods nor this annotation: cluster-autoscaler and node drains would evict it unannounced (add a budget allowing one disruption, or safe-to-evict "false" to keep its node)`,
      );
    }
    for (const budget of selecting) {
      // A DaemonSet has one pod per node, a count the render does not know: only the budgets that
      // forbid every eviction whatever the count are certain.
      const blocking = blocksEveryEviction(budget, daemonSet ? 0 : pod.replicas);
      if (blocking !== undefined) {
        report(
          'spec.selector',
          `${what} is selected by PodDisruptionBudget ${namespace}/${budget.name} with ${blocking}, which allows no eviction: ${
            daemonSet
              ? 'cluster-autoscaler evicts DaemonSet pods from the nodes it removes and stalls on it (a DaemonSet needs no budget: drains leave its pods)'
              : 'every node drain stalls on it and an EKS node group update fails with PodEvictionFailure after 15 minutes'
          }`,
        );
      }
    }
  }
  return findings;
}
