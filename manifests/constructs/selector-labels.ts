/**
 * The label a workload's pods are selected by. Deployment selectors are immutable, so the value
 * comes from the workload's name alone, never from the construct path (cdk8s-plus's
 * `cdk8s.io/metadata.addr` would change with any refactor of the construct tree).
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';

/** The labels selecting the pods of the workload `name`: `{ app.kubernetes.io/name: <name> }`. */
export function selectorLabels(name: string): Record<string, string> {
  return { [APP_NAME_LABEL]: name };
}
