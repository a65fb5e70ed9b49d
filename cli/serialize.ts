/**
 * Byte-stable serialization of rendered output: keys sorted by code unit (never by locale),
 * `apiVersion`, `kind`, `metadata` first in Kubernetes objects, one trailing newline.
 */
import { stringify } from 'yaml';

const KUBERNETES_HEAD = ['apiVersion', 'kind', 'metadata'];

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A deep copy whose object keys are sorted; `head` keys come first at the top level only. */
export function sortKeys(value: unknown, head: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => record[key] !== undefined);
  const first = head.filter((key) => keys.includes(key));
  const rest = keys.filter((key) => !head.includes(key)).sort(byCodeUnit);
  return Object.fromEntries([...first, ...rest].map((key) => [key, sortKeys(record[key])]));
}

/** One Kubernetes object as YAML. */
export function kubernetesYaml(object: unknown): string {
  return stringify(sortKeys(object, KUBERNETES_HEAD), {
    lineWidth: 0,
    minContentWidth: 0,
    aliasDuplicateObjects: false,
  });
}

/** JSON with sorted keys and two-space indentation. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}
