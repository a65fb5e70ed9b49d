/** Reading the Terraform JSON of rendered stacks: resources by type, data sources, references. */
import type { RenderedStack } from '../render';

/** Rendered JSON, untyped on purpose: each rule checks the fields it reads and reports what is missing. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = Record<string, any>;
export type Block = Json;

/** The resources (or data sources) of one type in a stack, by logical id, without cdktf metadata. */
export function blocksOf(
  stack: RenderedStack,
  type: string,
  kind: 'resource' | 'data' = 'resource',
): [string, Block][] {
  const byType = (stack.json[kind] ?? {}) as Record<string, Record<string, Block>>;
  return Object.entries(byType[type] ?? {});
}

/** A nested block as cdktf writes it: an object for a single block, an array otherwise. */
export function blockList(value: unknown): Block[] {
  if (Array.isArray(value)) return value as Block[];
  return value !== null && typeof value === 'object' ? [value as Block] : [];
}

/** The data source a `${data.<type>.<name>.json}`-style reference points to, in the same stack. */
export function referencedData(stack: RenderedStack, reference: unknown, type: string): Block | undefined {
  const match =
    typeof reference === 'string' ? /^\$\{data\.([\w-]+)\.([\w-]+)\.[\w]+\}$/.exec(reference) : null;
  if (!match || match[1] !== type) return undefined;
  return blocksOf(stack, type, 'data').find(([name]) => name === match[2])?.[1];
}
