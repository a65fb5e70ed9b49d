import type { Affinity } from 'cdk8s-plus-27/lib/imports/k8s';
import { LIFECYCLE_LABEL } from '../../platform/names';

/**
 * Prefers nodes labelled `lifecycle=essential` (seed 000): a spot reclaim or an off-hours stop
 * would take the controller down with its node. Preferred, not required, so a cluster without an
 * essential group still runs its add-ons.
 */
export function preferEssentialNodes(): Affinity {
  return {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          preference: { matchExpressions: [{ key: LIFECYCLE_LABEL, operator: 'In', values: ['essential'] }] },
        },
      ],
    },
  };
}
