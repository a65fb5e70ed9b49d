/**
 * Where a rendered object lives in dist/ (DESIGN §6): a pure function of (cluster, component,
 * API group, kind, namespace, name), free of hashes, so a refactor of the constructs never moves
 * a file. Kubernetes names never contain `_`, which separates the parts.
 */

export interface ObjectIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export function objectIdentity(object: unknown): ObjectIdentity {
  const o = object as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  if (
    typeof o.apiVersion !== 'string' ||
    typeof o.kind !== 'string' ||
    typeof o.metadata?.name !== 'string'
  ) {
    throw new Error(
      `rendered object without apiVersion, kind or metadata.name: ${JSON.stringify(object).slice(0, 200)}`,
    );
  }
  const namespace = typeof o.metadata.namespace === 'string' ? o.metadata.namespace : undefined;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(namespace ? { namespace } : {}),
  };
}

/** The API group of an apiVersion: `apps` for apps/v1, empty for the core group (v1). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function segment(text: string): string {
  // `:` appears in RBAC names (system:…) and is not portable in file names.
  return text.replace(/[^A-Za-z0-9.-]/g, '-');
}

/** `<cluster>/<component>/<kind>[.<group>]_[<namespace>_]<name>.yaml`, relative to dist/. */
export function manifestPath(cluster: string, component: string, id: ObjectIdentity): string {
  const group = apiGroup(id.apiVersion);
  const kind = id.kind.toLowerCase() + (group ? `.${group}` : '');
  const file = [kind, ...(id.namespace ? [id.namespace] : []), id.name].map(segment).join('_');
  return `${cluster}/${component}/${file}.yaml`;
}

/** `infra/<stack>.tf.json`, relative to dist/. */
export function stackPath(stack: string): string {
  return `infra/${stack}.tf.json`;
}
