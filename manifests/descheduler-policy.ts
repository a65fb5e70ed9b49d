/**
 * The descheduler's policy (`DeschedulerPolicy`, API `descheduler/v1alpha2`, the version every
 * pinned release v0.32–v0.35 reads: pkg/api/v1alpha2/types.go in kubernetes-sigs/descheduler).
 * Field names are checked against each plugin's `types.go` at v0.32.2 and v0.35.1 (the oldest and
 * newest pinned tags), so one policy serves every cluster minor; the fields deprecated in v0.35 in
 * favour of `podProtections` (evictLocalStoragePods, evictSystemCriticalPods, ignorePodsWithoutPDB)
 * are the only ones v0.32 knows, and v0.35 still honours them when `podProtections` is unset
 * (pkg/framework/plugins/defaultevictor/validation.go at v0.35.1).
 *
 * What it is for: moving running pods whose placement no longer holds, and nothing else. It runs
 * no utilization plugin, on purpose (docs/addons.md, "Descheduler"):
 * - `LowNodeUtilization` moves pods onto under-used nodes, the very nodes cluster-autoscaler is
 *   waiting to remove (a node under 50 % of requests for 10 minutes,
 *   https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-1.35.2/cluster-autoscaler/FAQ.md#how-does-scale-down-work),
 *   so the two undo each other.
 * - `HighNodeUtilization` empties under-used nodes so cluster-autoscaler can remove them, but
 *   upstream says it "must be used with the scheduler scoring strategy `MostAllocated`"
 *   (https://github.com/kubernetes-sigs/descheduler/blob/v0.35.1/README.md#highnodeutilization).
 *   The kube-scheduler of the EKS control plane keeps its default `LeastAllocated` scoring, which
 *   spreads pods (https://aws.amazon.com/blogs/containers/customizing-scheduling-on-amazon-eks/),
 *   and its configuration is not ours to change, so the evicted pods would be scheduled back on
 *   the emptiest node, the one being emptied.
 *   cluster-autoscaler's own scale-down already compacts: it evicts the pods of an unneeded node
 *   only after simulating that they fit elsewhere, then removes the node.
 * Every eviction passes `nodeFit` (the pod must fit on another existing node), so the descheduler
 * never leaves a pod Pending that would make cluster-autoscaler add a node for it.
 */

/** The interval between two descheduling passes (upstream's deployment.yaml at v0.35.1: 5m). */
export const DESCHEDULING_INTERVAL = '5m';

/**
 * Taints whose pods the descheduler leaves alone:
 * - `node.kubernetes.io/unschedulable`: the taint of a cordoned node
 *   (https://kubernetes.io/docs/reference/labels-annotations-taints/#node-kubernetes-io-unschedulable).
 *   A cordon means "no new pods"; evicting the old ones would turn every `kubectl cordon` into a drain.
 * - `ToBeDeletedByClusterAutoscaler`: the taint cluster-autoscaler puts on a node it is draining
 *   itself (`ToBeDeletedTaint`, cluster-autoscaler/utils/taints/taints.go in kubernetes/autoscaler);
 *   a second evictor would only race it.
 */
export const EXCLUDED_TAINTS = [
  'node.kubernetes.io/unschedulable',
  'ToBeDeletedByClusterAutoscaler',
] as const;

/** The plugins the policy runs, by extension point. */
export const DESCHEDULER_PLUGINS = {
  /**
   * Pods that break a rule of their own spec:
   * - `RemovePodsViolatingNodeAffinity`, required affinity only (a node relabelled since);
   * - `RemovePodsViolatingNodeTaints`, NoSchedule taints only (a node tainted since);
   * - `RemovePodsViolatingInterPodAntiAffinity` (upstream's configmap.yaml at v0.35.1 enables it).
   */
  deschedule: [
    'RemovePodsViolatingNodeAffinity',
    'RemovePodsViolatingNodeTaints',
    'RemovePodsViolatingInterPodAntiAffinity',
  ],
  /**
   * Spreading that drifted: after a node roll or a scale-down, pods of one ReplicaSet pile up on
   * the nodes that stayed (`RemoveDuplicates`, in upstream's configmap.yaml) and zones go out of
   * balance (`RemovePodsViolatingTopologySpreadConstraint`, hard `DoNotSchedule` constraints only,
   * its default). Neither adds nor empties nodes, and `nodeFit` keeps each move on existing nodes.
   */
  balance: ['RemoveDuplicates', 'RemovePodsViolatingTopologySpreadConstraint'],
} as const;

/**
 * The policy, with `excludedNamespaces` left alone by every plugin (`namespaces.exclude`, the
 * filtering every enabled plugin accepts,
 * https://github.com/kubernetes-sigs/descheduler/blob/v0.35.1/README.md#namespace-filtering).
 */
export function deschedulerPolicy(excludedNamespaces: readonly string[]): Record<string, unknown> {
  const namespaces = { exclude: [...excludedNamespaces] };
  return {
    apiVersion: 'descheduler/v1alpha2',
    kind: 'DeschedulerPolicy',
    profiles: [
      {
        name: 'placement',
        pluginConfig: [
          {
            name: 'DefaultEvictor',
            args: {
              // Pods with an emptyDir or hostPath lose its data when evicted.
              evictLocalStoragePods: false,
              // system-cluster-critical and system-node-critical pods (CoreDNS, the CNI) stay.
              evictSystemCriticalPods: false,
              // Only pods whose owner declared how many may be down at once move; every app has a
              // budget (maxUnavailable 1, manifests/constructs/disruption-budget.ts), and the
              // Eviction API the descheduler uses (evictions.go at v0.35.1) honours it.
              ignorePodsWithoutPDB: true,
              // Pods without a controller are never evicted (they would not come back): the
              // default, with evictFailedBarePods false.
              evictFailedBarePods: false,
              evictDaemonSetPods: false,
              // Evict only a pod that fits on another existing node: never a Pending pod.
              nodeFit: true,
            },
          },
          {
            name: 'RemovePodsViolatingNodeAffinity',
            args: { namespaces, nodeAffinityType: ['requiredDuringSchedulingIgnoredDuringExecution'] },
          },
          {
            name: 'RemovePodsViolatingNodeTaints',
            args: { namespaces, excludedTaints: [...EXCLUDED_TAINTS] },
          },
          { name: 'RemovePodsViolatingInterPodAntiAffinity', args: { namespaces } },
          { name: 'RemoveDuplicates', args: { namespaces } },
          {
            name: 'RemovePodsViolatingTopologySpreadConstraint',
            args: { namespaces, constraints: ['DoNotSchedule'] },
          },
        ],
        plugins: {
          deschedule: { enabled: [...DESCHEDULER_PLUGINS.deschedule] },
          balance: { enabled: [...DESCHEDULER_PLUGINS.balance] },
        },
      },
    ],
  };
}
