/**
 * Kubernetes label selectors, as the API server evaluates them (matchLabels and the set-based
 * matchExpressions: In, NotIn, Exists, DoesNotExist; an unknown operator matches nothing). One
 * implementation for every rule that resolves a selector: PodDisruptionBudgets, NetworkPolicies,
 * ClusterRole aggregation.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
 */

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

/**
 * Whether `selector` selects an object with these labels. An empty selector (`{}`) selects
 * everything; an absent one (null or undefined) selects nothing, as policy/v1 PodDisruptionBudgets
 * and NetworkPolicy peers read it.
 */
export function selectorMatches(
  selector: LabelSelector | null | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined || selector === null) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = Object.hasOwn(labels, key) ? labels[key] : undefined;
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
}
