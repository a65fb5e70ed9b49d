import type { TopologySpreadConstraint } from 'cdk8s-plus-27/lib/imports/k8s';
import { HOSTNAME_LABEL, ZONE_LABEL } from '../../platform/names';

/**
 * Spreads the pods selected by `selector` evenly across availability zones, and prefers distinct
 * nodes inside a zone.
 *
 * The zone constraint is hard (`DoNotSchedule`): a pending pod is what makes cluster-autoscaler
 * grow the per-zone node group of the short zone (seed 000: one node group per zone exists for
 * this), whereas `ScheduleAnyway` would let every replica pile into the zone that has room and
 * one zone outage would take the whole app down. Only zones that have nodes the pod may use
 * count as domains (nodeAffinityPolicy defaults to Honor), so an app placed on a group that spans
 * fewer zones is not blocked. The node constraint is soft: a small cluster may have fewer nodes
 * than replicas.
 *
 * `matchLabelKeys: [pod-template-hash]` counts only pods of the same ReplicaSet, so a rolling
 * update spreads the new pods on their own instead of being skewed by the old ones.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
export function zoneSpread(
  selector: Record<string, string>,
  matchLabelKeys: readonly string[] = [],
): TopologySpreadConstraint[] {
  const common = {
    maxSkew: 1,
    labelSelector: { matchLabels: { ...selector } },
    ...(matchLabelKeys.length > 0 ? { matchLabelKeys: [...matchLabelKeys] } : {}),
  };
  return [
    { ...common, topologyKey: ZONE_LABEL, whenUnsatisfiable: 'DoNotSchedule' },
    { ...common, topologyKey: HOSTNAME_LABEL, whenUnsatisfiable: 'ScheduleAnyway' },
  ];
}
