/**
 * The reviewer's view of a change (`npm run diff`): dist/ before and after, compared resource by
 * resource — Kubernetes objects by file, Terraform resources by stack and address — with each
 * changed field as a path and its old and new value, and flags on the changes that hurt.
 */
import { parse } from 'yaml';

export interface FieldChange {
  /** Dotted path inside the resource, e.g. `spec.replicas` or `scaling_config[0].max_size`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface ResourceChange {
  /** The review group: a cluster (`prod-blue`) or a Terraform stack (`stack prod-network`). */
  readonly group: string;
  /** `Deployment kube-system/external-dns` or `aws_eks_node_group.node-group-spot-a`. */
  readonly resource: string;
  readonly file: string;
  readonly kind: ChangeKind;
  readonly fields: readonly FieldChange[];
  readonly risks: readonly string[];
}

export interface TreeDiff {
  readonly changes: readonly ResourceChange[];
}

const REDACTED = '(redacted)';

interface Resource {
  readonly group: string;
  readonly name: string;
  readonly file: string;
  readonly kind: string;
  readonly body: unknown;
}

/** The resources of a dist/ tree (relative path -> file text). */
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

/** Leaves of a JSON value by path; arrays of scalars are compared as one value. */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    for (const [i, item] of value.entries()) leaves(item, `${prefix}[${i}]`, out);
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, value);
    for (const [key, child] of entries) {
      const step = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
      leaves(child, prefix === '' ? step : `${prefix}.${step}`, out);
    }
  } else {
    out.set(prefix, value);
  }
  return out;
}

export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const a = leaves(before, '', new Map());
  const b = leaves(after, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const old = a.get(path);
    const next = b.get(path);
    if (JSON.stringify(old) === JSON.stringify(next)) continue;
    changes.push({ path, ...(a.has(path) ? { before: old } : {}), ...(b.has(path) ? { after: next } : {}) });
  }
  return changes;
}

/**
 * Arguments whose change makes Terraform replace the resource, for the resources whose
 * replacement takes nodes or a cluster away
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_node_group,
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster).
 */
const FORCES_REPLACEMENT: Record<string, { readonly what: string; readonly fields: readonly string[] }> = {
  aws_eks_node_group: {
    what: 'replaces the node group (its nodes are drained and recreated)',
    fields: [
      'node_group_name',
      'node_group_name_prefix',
      'cluster_name',
      'node_role_arn',
      'subnet_ids',
      'instance_types',
      'capacity_type',
      'ami_type',
      'disk_size',
      'remote_access',
    ],
  },
  aws_eks_cluster: {
    what: 'replaces the cluster (everything running on it is lost)',
    fields: [
      'name',
      'role_arn',
      'encryption_config',
      'kubernetes_network_config',
      'bootstrap_self_managed_addons',
      'vpc_config[0].subnet_ids',
    ],
  },
  aws_subnet: {
    what: 'replaces the subnet (and what runs in it)',
    fields: ['cidr_block', 'availability_zone', 'vpc_id'],
  },
  aws_vpc: { what: 'replaces the VPC', fields: ['cidr_block'] },
};

/** Kinds whose spec.selector Kubernetes refuses to change: the apply fails until the object is deleted. */
const IMMUTABLE_SELECTOR_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

function risksOf(resource: Resource, kind: ChangeKind, fields: readonly FieldChange[]): string[] {
  const risks: string[] = [];
  if (kind === 'removed') risks.push('deletion');
  if (kind !== 'changed') return risks;
  if (
    IMMUTABLE_SELECTOR_KINDS.includes(resource.kind) &&
    fields.some((f) => f.path.startsWith('spec.selector'))
  ) {
    risks.push('immutable selector changed: the apply fails until the object is recreated');
  }
  const replacement = FORCES_REPLACEMENT[resource.kind];
  if (replacement) {
    const forcing = fields.filter((f) =>
      replacement.fields.some(
        (name) => f.path === name || f.path.startsWith(`${name}.`) || f.path.startsWith(`${name}[`),
      ),
    );
    if (forcing.length > 0) risks.push(`${replacement.what}: ${forcing.map((f) => f.path).join(', ')}`);
  }
  if (resource.kind === 'aws_iam_role' && fields.some((f) => f.path.startsWith('assume_role_policy'))) {
    risks.push('IAM trust policy changed: who can assume this role');
  }
  if (resource.kind === 'aws_eks_cluster' && fields.some((f) => f.path === 'version')) {
    risks.push(
      'Kubernetes version upgrade of the control plane (one minor at a time, cannot be rolled back)',
    );
  }
  return risks;
}

export function diffTrees(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): TreeDiff {
  const a = resourcesOf(before);
  const b = resourcesOf(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: ResourceChange[] = [];
  for (const key of keys) {
    const old = a.get(key);
    const next = b.get(key);
    const resource = (next ?? old) as Resource;
    const kind: ChangeKind = old === undefined ? 'added' : next === undefined ? 'removed' : 'changed';
    const fields = fieldChanges(old?.body, next?.body);
    if (kind === 'changed' && fields.length === 0) continue;
    changes.push({
      group: resource.group,
      resource: resource.name,
      file: resource.file,
      kind,
      fields: kind === 'changed' ? fields : [],
      risks: risksOf(resource, kind, fields),
    });
  }
  return { changes };
}

function show(value: unknown): string {
  if (value === undefined) return '∅';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function summaryRows(
  diff: TreeDiff,
): { group: string; added: number; changed: number; removed: number; risky: number }[] {
  const groups = [...new Set(diff.changes.map((c) => c.group))].sort();
  return groups.map((group) => {
    const of = diff.changes.filter((c) => c.group === group);
    return {
      group,
      added: of.filter((c) => c.kind === 'added').length,
      changed: of.filter((c) => c.kind === 'changed').length,
      removed: of.filter((c) => c.kind === 'removed').length,
      risky: of.filter((c) => c.risks.length > 0).length,
    };
  });
}

/** Markdown for pull-request comments, split into parts of at most `limit` characters. */
export function markdownReport(diff: TreeDiff, base: string, limit = 60_000): string[] {
  if (diff.changes.length === 0) return [`### eks-platform: no changes against \`${base}\`\n`];
  const head = [
    `### eks-platform: changes against \`${base}\``,
    '',
    '| cluster / stack | added | changed | removed | ⚠ risky |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...summaryRows(diff).map((r) => `| ${r.group} | ${r.added} | ${r.changed} | ${r.removed} | ${r.risky} |`),
    '',
  ].join('\n');
  // Per group: one line per added or removed resource, a table of fields per changed one.
  const sections = [...new Set(diff.changes.map((c) => c.group))].sort().flatMap((group) => {
    const of = diff.changes.filter((c) => c.group === group);
    const lines = [`#### ${group}`];
    for (const c of of.filter((x) => x.kind !== 'changed')) {
      lines.push(
        `- ${c.kind === 'added' ? '➕ added' : '➖ removed'} \`${c.resource}\`${c.risks.map((r) => ` ⚠ **${r}**`).join('')}`,
      );
    }
    const pieces = [lines.length > 1 ? `${lines[0]}\n\n${lines.slice(1).join('\n')}` : lines.join('')];
    for (const c of of.filter((x) => x.kind === 'changed')) {
      const table = [`**✏️ \`${c.resource}\`** (\`dist/${c.file}\`)`, ''];
      for (const risk of c.risks) table.push(`> ⚠ **${risk}**`, '');
      table.push('| field | before | after |', '| --- | --- | --- |');
      for (const f of c.fields)
        table.push(`| \`${f.path}\` | \`${show(f.before)}\` | \`${show(f.after)}\` |`);
      pieces.push(table.join('\n'));
    }
    return pieces;
  });
  const parts: string[] = [];
  let current = head;
  for (const section of sections) {
    const piece =
      section.length > limit - 200
        ? `${section.slice(0, limit - 300)}\n\n…(cut: see \`npm run diff -- --format text\`)\n`
        : section;
    if (current.length + piece.length + 1 > limit - 100) {
      parts.push(current);
      current = '';
    }
    current += `\n${piece}\n`;
  }
  parts.push(current);
  return parts.length === 1
    ? parts
    : parts.map((p, i) => `<!-- eks-platform diff: part ${i + 1} of ${parts.length} -->\n${p}`);
}

export function textReport(diff: TreeDiff, base: string): string {
  if (diff.changes.length === 0) return `no changes against ${base}\n`;
  const lines = [`changes against ${base}:`];
  for (const r of summaryRows(diff))
    lines.push(
      `  ${r.group}: ${r.added} added, ${r.changed} changed, ${r.removed} removed, ${r.risky} risky`,
    );
  lines.push('');
  for (const c of diff.changes) {
    lines.push(`${c.kind.toUpperCase()} ${c.group}: ${c.resource} (dist/${c.file})`);
    for (const risk of c.risks) lines.push(`  ! ${risk}`);
    for (const f of c.fields) lines.push(`  ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function jsonReport(diff: TreeDiff, base: string): string {
  return `${JSON.stringify({ base, summary: summaryRows(diff), changes: diff.changes }, null, 2)}\n`;
}
