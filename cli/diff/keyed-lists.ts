/**
 * Field-by-field comparison of two resources in which lists are compared by what their items
 * are, not by where they sit: inserting namespace `shop` before `web` in an AppProject is one
 * added destination, not `"web" → "shop"` plus a new `"web"`.
 *
 * - Items with an identity (containers and env by `name`, volumeMounts by `mountPath`, ports by
 *   `name` or `containerPort`/`port`, Terraform blocks by `name`/`key`/`sid`, …) are matched by it:
 *   a changed item shows its changed fields under `containers[name=web].image`.
 * - Items without one (RBAC rules, AppProject destinations and whitelists, tolerations, IAM
 *   statements without a Sid) form a set: each added or removed item is one row `rules[]`.
 * - Lists of scalars (`depends_on`, `instance_types`, `sourceRepos`, args) are one row holding both
 *   lists; the report shows only the items that differ (see `value-display.ts`).
 */
import type { FieldChange } from './field-change';

type Json = unknown;

/** Identity fields tried for a list of objects, per list name first, then in this order. */
const IDENTITY_BY_LIST: Readonly<Record<string, readonly string[]>> = {
  volumeMounts: ['mountPath'],
  ports: ['name', 'containerPort', 'port'],
  statement: ['sid'],
  Statement: ['Sid'],
  block_device_mappings: ['device_name'],
  tag_specifications: ['resource_type'],
  condition: ['variable'],
  principals: ['type'],
};
const IDENTITY_FIELDS = ['name', 'key', 'sid', 'mountPath', 'containerPort', 'port', 'device_name'];

function isRecord(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON with sorted keys: equal values give equal text whatever their key order. */
export function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** The field that identifies every item of both lists uniquely, if there is one. */
export function identityField(
  listName: string,
  before: readonly Json[],
  after: readonly Json[],
): string | undefined {
  const candidates = [...(IDENTITY_BY_LIST[listName] ?? []), ...IDENTITY_FIELDS];
  return candidates.find((field) =>
    [before, after].every((items) => {
      const seen = new Set<string>();
      for (const item of items) {
        if (!isRecord(item)) return false;
        const id = item[field];
        if (typeof id !== 'string' && typeof id !== 'number') return false;
        if (seen.has(String(id))) return false;
        seen.add(String(id));
      }
      return true;
    }),
  );
}

function step(prefix: string, key: string): string {
  const name = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
  return prefix === '' ? name : `${prefix}.${name}`;
}

function lastName(path: string): string {
  const match = /([A-Za-z_][A-Za-z0-9_-]*)$/.exec(path);
  return match?.[1] ?? '';
}

function change(path: string, before: Json, after: Json): FieldChange {
  return { path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

function diffValue(before: Json, after: Json, path: string, out: FieldChange[]): void {
  if (canonical(before) === canonical(after)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) diffValue(before[key], after[key], step(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    diffList(before, after, path, out);
    return;
  }
  // A JSON document held in a string (an IAM policy in `policy` or `assume_role_policy`) is
  // compared as the document it is, its statements by Sid.
  const parsedBefore = jsonDocument(before);
  const parsedAfter = jsonDocument(after);
  if (parsedBefore !== undefined && parsedAfter !== undefined) {
    diffValue(parsedBefore, parsedAfter, path, out);
    return;
  }
  out.push(change(path, before, after));
}

function jsonDocument(value: Json): Record<string, Json> | undefined {
  if (typeof value !== 'string' || !value.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(value) as Json;
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function diffList(before: readonly Json[], after: readonly Json[], path: string, out: FieldChange[]): void {
  const scalars = [...before, ...after].every((v) => v === null || typeof v !== 'object');
  if (scalars) {
    out.push(change(path, before, after));
    return;
  }
  const field = identityField(lastName(path), before, after);
  if (field !== undefined) {
    const id = (item: Json) => String((item as Record<string, Json>)[field]);
    const old = new Map(before.map((item) => [id(item), item]));
    const next = new Map(after.map((item) => [id(item), item]));
    const ids = [...new Set([...old.keys(), ...next.keys()])].sort();
    for (const key of ids) diffValue(old.get(key), next.get(key), `${path}[${field}=${key}]`, out);
    return;
  }
  // A set: items are equal or not; order carries no meaning.
  const count = (items: readonly Json[]) => {
    const counts = new Map<string, { item: Json; n: number }>();
    for (const item of items) {
      const key = canonical(item);
      counts.set(key, { item, n: (counts.get(key)?.n ?? 0) + 1 });
    }
    return counts;
  };
  const old = count(before);
  const next = count(after);
  for (const [key, { item, n }] of [...old].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let i = next.get(key)?.n ?? 0; i < n; i++) out.push(change(`${path}[]`, item, undefined));
  }
  for (const [key, { item, n }] of [...next].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let i = old.get(key)?.n ?? 0; i < n; i++) out.push(change(`${path}[]`, undefined, item));
  }
}

/** The changed fields of a resource, lists compared by identity or as sets. */
export function fieldChanges(before: Json, after: Json): FieldChange[] {
  const out: FieldChange[] = [];
  diffValue(before, after, '', out);
  return out;
}
