/**
 * How a report shows a field's old and new value: short values whole, long ones shortened around
 * the difference on each side (never cut at a prefix both sides share, which would show two
 * identical stumps), lists of scalars as the items that differ.
 */
const MAX = 120;
const CONTEXT = 30;

function json(value: unknown): string {
  return value === undefined ? '∅' : (JSON.stringify(value) ?? String(value));
}

function clip(text: string): string {
  return text.length > MAX ? `${text.slice(0, MAX - 3)}...` : text;
}

/** One value on its own (an added or removed field or resource). */
export function showValue(value: unknown): string {
  return clip(json(value));
}

function isScalarList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
}

function listPair(before: readonly unknown[], after: readonly unknown[]): [string, string] | undefined {
  const key = (v: unknown) => JSON.stringify(v);
  const afterKeys = new Set(after.map(key));
  const beforeKeys = new Set(before.map(key));
  const removed = before.filter((v) => !afterKeys.has(key(v)));
  const added = after.filter((v) => !beforeKeys.has(key(v)));
  if (removed.length === 0 && added.length === 0) return undefined; // only the order changed
  const same = before.length - removed.length;
  const side = (items: readonly unknown[]) =>
    `[${[...(same > 0 ? [`…${same} unchanged`] : []), ...items.map(key)].join(', ')}]`;
  return [clip(side(removed)), clip(side(added))];
}

/** Both sides of a change, each at most ~120 characters, the difference always visible. */
export function showPair(before: unknown, after: unknown): [string, string] {
  const a = json(before);
  const b = json(after);
  if (a.length <= MAX && b.length <= MAX) return [a, b];
  if (isScalarList(before) && isScalarList(after)) {
    const pair = listPair(before, after);
    if (pair) return pair;
  }
  if (before === undefined || after === undefined) return [clip(a), clip(b)];
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++;
  const start = Math.max(0, prefix - CONTEXT);
  const window = (text: string) => {
    const end = Math.min(text.length, text.length - suffix + CONTEXT, start + MAX);
    return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
  };
  return [window(a), window(b)];
}
