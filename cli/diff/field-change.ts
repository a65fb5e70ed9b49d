/** One changed field of a resource. */
export interface FieldChange {
  /**
   * Dotted path inside the resource, e.g. `spec.replicas`, `scaling_config.max_size`; an item of a
   * keyed list is `containers[name=web]`, an added or removed item of a set is `rules[]`.
   */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}
