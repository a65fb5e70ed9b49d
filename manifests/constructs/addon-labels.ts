/**
 * The labels of an add-on's objects and the selector of its pods: `app.kubernetes.io/name` (the
 * add-on) and, where an add-on runs several Deployments, `app.kubernetes.io/instance`. Selectors
 * are immutable, so they come from names alone, never from the construct path.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function addonLabels(name: string, instance?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    ...(instance !== undefined ? { 'app.kubernetes.io/instance': instance } : {}),
  };
}
