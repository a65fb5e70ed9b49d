import type { Affinity, Toleration } from 'cdk8s-plus-27/lib/imports/k8s';
import { LIFECYCLE_LABEL } from '../../platform/names';
import type { AppConfig } from '../../platform/schema';

export type Placement = AppConfig['placement'];
export type TolerationConfig = AppConfig['tolerations'][number];

export interface PlacementScheduling {
  readonly affinity?: Affinity;
  readonly tolerations?: Toleration[];
}

/**
 * The scheduling constraints of a placement (seed 000): `essential` and `spot` require nodes whose
 * `lifecycle` label has that value; `any` leaves the scheduler free. Tolerations are exactly those
 * the config lists, never added implicitly: a pod that cannot land anywhere is rendered as written
 * and reported by the placement validation, instead of being silently widened here.
 */
export function placementScheduling(
  placement: Placement,
  tolerations: readonly TolerationConfig[],
): PlacementScheduling {
  return {
    ...(placement === 'any'
      ? {}
      : {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: LIFECYCLE_LABEL, operator: 'In', values: [placement] }] },
                ],
              },
            },
          },
        }),
    ...(tolerations.length > 0
      ? {
          tolerations: tolerations.map((t) => ({
            key: t.key,
            operator: t.operator,
            ...(t.value !== undefined ? { value: t.value } : {}),
            ...(t.effect !== undefined ? { effect: t.effect } : {}),
          })),
        }
      : {}),
  };
}
