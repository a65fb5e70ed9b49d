import { SAFE_TO_EVICT_ANNOTATION } from '../../platform/names';

/**
 * How an add-on's pods meet voluntary disruptions, decided once per add-on (docs/addons.md,
 * "Disruptions"). Two kinds of eviction reach a pod, and they read different signals:
 * - cluster-autoscaler scale-down reads PodDisruptionBudgets and the safe-to-evict annotation; it
 *   never removes a node that holds a kube-system pod without a PDB, nor one whose pod says
 *   `safe-to-evict: "false"`
 *   (https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-1.35.2/cluster-autoscaler/FAQ.md#what-types-of-pods-can-prevent-ca-from-removing-a-node).
 * - node drains (EKS managed node group updates, `kubectl drain`) use the Eviction API, which
 *   honours PDBs only (https://kubernetes.io/docs/tasks/run-application/configure-pdb/). An EKS
 *   update waits 15 minutes for a pod a PDB protects, then fails with PodEvictionFailure unless
 *   forced (https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html).
 * So no add-on gets a budget that allows zero disruptions: a node roll would stall on it.
 */
export function safeToEvict(value: boolean): Record<string, string> {
  return { [SAFE_TO_EVICT_ANNOTATION]: String(value) };
}
