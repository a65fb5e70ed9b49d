/**
 * Byte-stable serialization of rendered output: keys sorted by code unit (never by locale),
 * `apiVersion`, `kind`, `metadata` first in Kubernetes objects, one trailing newline.
 */
import { Document, stringify } from 'yaml';

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

const YAML_OPTIONS = { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false } as const;

/**
 * One Kubernetes object as YAML: exactly `stringify(sortKeys(object, head), YAML_OPTIONS)` of the
 * yaml package, written by a direct emitter for the objects the platform renders (a 2,000-app
 * platform has about 15,000 of them, and the yaml package's document model spends seconds on
 * them). The emitter takes only what it reproduces byte for byte; anything else (multi-line or
 * non-ASCII strings, quotes, null, non-integer-safe numbers, keys that are array indexes, ...)
 * goes to the yaml package whole. test/cli/serialize.test.ts compares both on tricky values.
 */
export function kubernetesYaml(object: unknown): string {
  return fastYaml(object, KUBERNETES_HEAD) ?? writtenOnce(object);
}

/**
 * The yaml package's output of an object the emitter leaves to it, written once per process for
 * each distinct content: such objects are mostly the same vendored ones on every cluster (the
 * CustomResourceDefinitions of an add-on, whose descriptions are multi-line), and the yaml package
 * takes about 40 ms for each. The key is the object's JSON, taken only when JSON tells every
 * value apart as YAML would (no undefined in an array, no NaN, infinity or -0, plain objects).
 */
const writtenByPackage = new Map<string, string>();
function writtenOnce(object: unknown): string {
  const key = jsonSafe(object) ? JSON.stringify(object) : undefined;
  let written = key === undefined ? undefined : writtenByPackage.get(key);
  if (written === undefined) {
    written = yamlPackageOutput(object, KUBERNETES_HEAD);
    if (key !== undefined) writtenByPackage.set(key, written);
  }
  return written;
}

function jsonSafe(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) return value.every((item) => item !== undefined && jsonSafe(item));
      if (!isPlainObject(value)) return false;
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined && !jsonSafe(item)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** What the yaml package writes, the reference of `kubernetesYaml`. */
export function yamlPackageOutput(object: unknown, head: readonly string[] = KUBERNETES_HEAD): string {
  return stringify(sortKeys(object, head), YAML_OPTIONS);
}

/** JSON with sorted keys and two-space indentation. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** Raised inside the emitter for a value it leaves to the yaml package. */
const UNSUPPORTED = Symbol('unsupported by the direct emitter');

/**
 * The tags of the YAML 1.2 core schema the yaml package stringifies with: a plain scalar that one
 * of them would read as something else than a string (`true`, `42`, `-3`, `null`, `.inf`, ``)
 * must be quoted (yaml's stringifyString.js `plainString`, `actualString` test).
 */
const NON_STRING_TAGS = new Document(null).schema.tags.filter(
  (tag) => tag.default === true && tag.tag !== 'tag:yaml.org,2002:str' && tag.test instanceof RegExp,
);
/** Printable ASCII without quotes or backslash: the strings whose quoting is decided below. */
const SIMPLE_STRING = /^[\x20\x21\x23-\x26\x28-\x5b\x5d-\x7e]*$/;
/** Plain scalars that yaml quotes (`plainString` of yaml 2.x, copied): indicators, `: `, ` #`... */
const NEEDS_QUOTES = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Document markers, which yaml handles specially depending on indentation. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** Keys JavaScript orders before the others whatever the insertion order. */
const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

/** How each string seen so far is written, or null when the yaml package must write it. */
const writtenStrings = new Map<string, string | null>();

function scalarString(value: string, key: boolean): string {
  if (key && value.length > 1000) throw UNSUPPORTED;
  // Objects repeat their keys and most values: each string is decided once.
  let written = writtenStrings.get(value);
  if (written === undefined) {
    written = decideString(value);
    if (value.length <= 1000) writtenStrings.set(value, written);
  }
  if (written === null) throw UNSUPPORTED;
  return written;
}

function decideString(value: string): string | null {
  if (!SIMPLE_STRING.test(value) || DOCUMENT_MARKER.test(value)) return null;
  // Double quotes: a string without quotes or backslash takes them in yaml's `quotedString`, and
  // JSON.stringify adds no escape to printable ASCII.
  if (NEEDS_QUOTES.test(value) || NON_STRING_TAGS.some((tag) => (tag.test as RegExp).test(value))) {
    return `"${value}"`;
  }
  return value;
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return scalarString(value, false);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw UNSUPPORTED;
      return String(value);
    default:
      throw UNSUPPORTED;
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The keys in output order, as `sortKeys` and then yaml's map creation order them. */
function orderedKeys(record: Record<string, unknown>, head: readonly string[]): string[] {
  const keys: string[] = [];
  for (const key of Object.keys(record)) {
    if (record[key] === undefined) continue;
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57 && ARRAY_INDEX.test(key)) || key === '__proto__') throw UNSUPPORTED;
    keys.push(key);
  }
  if (head.length === 0) return keys.sort(byCodeUnit);
  const first = head.filter((key) => keys.includes(key));
  return [...first, ...keys.filter((key) => !head.includes(key)).sort(byCodeUnit)];
}

/**
 * The emitter appends the pieces of a document to one array, joined once at the end: a flat
 * string, where `+=` would build a tree of concatenations (one object per piece) that every writer
 * and comparison of the file then flattens.
 */
type Out = string[];

/** A value after `key:` or `- `: ` value` on the same line, or a block on the next lines. */
function afterIndicator(out: Out, value: unknown, indent: string): void {
  if (value === null || typeof value !== 'object') {
    out.push(' ', scalar(value));
  } else if (Array.isArray(value)) {
    if (value.length === 0) out.push(' []');
    else {
      out.push('\n', indent);
      blockSequence(out, value, indent);
    }
  } else {
    if (!isPlainObject(value)) throw UNSUPPORTED;
    const keys = orderedKeys(value, []);
    if (keys.length === 0) out.push(' {}');
    else {
      out.push('\n', indent);
      blockMapping(out, value, keys, indent);
    }
  }
}

/** A block mapping whose first line is already indented by `indent`. */
function blockMapping(
  out: Out,
  record: Record<string, unknown>,
  keys: readonly string[],
  indent: string,
): void {
  const inner = `${indent}  `;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out.push('\n', indent);
    out.push(scalarString(key, true), ':');
    afterIndicator(out, record[key], inner);
  }
}

/** A block sequence (yaml's default `indentSeq`) whose first line is already indented by `indent`. */
function blockSequence(out: Out, items: readonly unknown[], indent: string): void {
  const inner = `${indent}  `;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) out.push('\n', indent);
    if (item === null || typeof item !== 'object') out.push('- ', scalar(item));
    else if (Array.isArray(item)) {
      if (item.length === 0) out.push('- []');
      else {
        out.push('- ');
        blockSequence(out, item, inner);
      }
    } else if (!isPlainObject(item)) throw UNSUPPORTED;
    else {
      const keys = orderedKeys(item, []);
      if (keys.length === 0) out.push('- {}');
      else {
        out.push('- ');
        blockMapping(out, item, keys, inner);
      }
    }
  }
}

/** The document for a mapping at the top level, or undefined when the yaml package must write it. */
export function fastYaml(object: unknown, head: readonly string[]): string | undefined {
  if (object === null || typeof object !== 'object' || Array.isArray(object) || !isPlainObject(object)) {
    return undefined;
  }
  try {
    const keys = orderedKeys(object, head);
    if (keys.length === 0) return '{}\n';
    const out: Out = [];
    blockMapping(out, object, keys, '');
    out.push('\n');
    return out.join('');
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
}
