/**
 * The resources of a dist/ tree: Kubernetes objects by file, Terraform resources and data sources
 * by stack and address. Secret values are redacted before anything compares or prints them.
 */
import { parse } from 'yaml';

export interface Resource {
  /** The review group: a cluster (`prod-blue`) or a Terraform stack (`stack prod-network`). */
  readonly group: string;
  /** `Deployment kube-system/external-dns` or `aws_eks_node_group.node-group-spot-a`. */
  readonly name: string;
  readonly file: string;
  /** The Kubernetes kind, the Terraform resource type, or `data.<type>` for a data source. */
  readonly kind: string;
  readonly body: unknown;
}

const REDACTED = '(redacted)';

/** The resources of a dist/ tree (relative path -> file text), by file (and address). */
export function resourcesOf(files: ReadonlyMap<string, string>): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  for (const [file, text] of files) {
    if (file.startsWith('infra/') && file.endsWith('.tf.json')) {
      const stack = file.slice('infra/'.length, -'.tf.json'.length);
      const json = JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>;
      for (const block of ['resource', 'data'] as const) {
        for (const [type, byName] of Object.entries(json[block] ?? {})) {
          for (const [name, body] of Object.entries(byName)) {
            const address = `${block === 'data' ? 'data.' : ''}${type}.${name}`;
            const { '//': _metadata, ...rest } = body as Record<string, unknown>;
            // A data source is read, never replaced: its kind keeps it out of the replacement flags.
            resources.set(`${file}#${address}`, {
              group: `stack ${stack}`,
              name: address,
              file,
              kind: block === 'data' ? `data.${type}` : type,
              body: rest,
            });
          }
        }
      }
    } else if (file.endsWith('.yaml')) {
      const object = parse(text) as {
        kind?: string;
        metadata?: { name?: string; namespace?: string };
      } | null;
      if (object === null || typeof object !== 'object') continue;
      const meta = object.metadata ?? {};
      const name = meta.namespace ? `${meta.namespace}/${meta.name}` : String(meta.name);
      const kind = String(object.kind);
      resources.set(file, {
        group: file.split('/')[0] ?? '',
        name: `${kind} ${name}`,
        file,
        kind,
        body: kind === 'Secret' ? redactSecret(object) : object,
      });
    }
  }
  return resources;
}

function redactSecret(object: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  for (const key of ['data', 'stringData']) {
    const values = copy[key];
    if (values && typeof values === 'object') {
      copy[key] = Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
    }
  }
  return copy;
}
