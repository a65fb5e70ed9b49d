/**
 * A fast reader for the plain YAML environment files are made of: block mappings and sequences
 * of single-line scalars and flow collections, with comments. It returns exactly what the yaml
 * package's `parseDocument(text, { uniqueKeys: true, merge: true }).toJS()` returns, or undefined
 * for anything else — anchors, aliases, merge keys, tags, block or multi-line scalars, escapes,
 * quoted keys, duplicate keys, tabs, non-ASCII text, document markers, any YAML error — which
 * `parseConfig` then reads with the yaml package, errors and line numbers included.
 *
 * Why: the yaml package builds a full document model (lexer, CST, nodes with source ranges,
 * then JavaScript values). On a platform of 2,000 apps (a 730 kB file) that is about a second of
 * every synth and check, and a tenth of the example's; this reader takes a few tens of
 * milliseconds. Plain scalars are resolved by the yaml package's own core-schema tags (the same
 * tests and resolve functions), so `42`, `0x2A`, `1e3`, `.inf`, `true`, `~` and `null` become what
 * the yaml package makes of them. test/platform/plain-yaml.test.ts compares both on every
 * fixture, the shipped config, a generated 2,000-app platform, tricky scalars and random documents.
 * https://yaml.org/spec/1.2.2/#chapter-8-block-style-productions
 * https://eemeli.org/yaml/#parsing-yaml
 */
import { Document, isMap, isScalar, isSeq, parseDocument, type ScalarTag } from 'yaml';

/** Raised inside the reader at anything it leaves to the yaml package. */
const UNSUPPORTED = Symbol('not plain YAML');

interface Line {
  indent: number;
  /** Without the indentation and trailing spaces; never empty, never a comment. */
  text: string;
}

/** The tags of the schema `parseDocument(text, { merge: true })` resolves plain scalars with. */
const PLAIN_TAGS = new Document(null, { merge: true }).schema.tags.filter(
  (tag): tag is ScalarTag & { test: RegExp } =>
    tag.default === true && !tag.collection && tag.test instanceof RegExp,
);

/** Printable ASCII and newlines only: no tab, carriage return, byte order mark or escape. */
const PLAIN_TEXT = /^[\x20-\x7e\n]*$/;
/** `key:` or `key: value`: a plain key of safe characters, then `: ` or the end of the line. */
const KEY_LINE = /^([A-Za-z_][\w./-]*):(?: +(.*))?$/;
/** A first character that makes a plain scalar something else (YAML 1.2 c-indicator), or is a flow collection. */
const INDICATOR_START = /^[,[\]{}#&*!|>'"%@`]|^[-?:](?: |$)/;

export function parsePlainYaml(text: string): Record<string, unknown> | undefined {
  if (!PLAIN_TEXT.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    // Directives and document markers at the start of a line.
    if (raw.startsWith('%') || raw.startsWith('---') || raw.startsWith('...')) return undefined;
    lines.push({ indent: raw.length - raw.trimStart().length, text: trimmed });
  }
  const first = lines[0];
  if (first === undefined || !KEY_LINE.test(first.text)) return undefined;
  try {
    const reader = new Reader(lines);
    const value = reader.mapping(first.indent);
    return reader.done() ? value : undefined;
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
}

class Reader {
  private next = 0;

  constructor(private readonly lines: Line[]) {}

  done(): boolean {
    return this.next === this.lines.length;
  }

  /** The lines of a block mapping at `indent`, from the current line on. */
  mapping(indent: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (let line = this.lines[this.next]; line !== undefined; line = this.lines[this.next]) {
      if (line.indent < indent) break;
      if (line.indent > indent) throw UNSUPPORTED;
      const match = KEY_LINE.exec(line.text);
      if (match === null) throw UNSUPPORTED;
      const key = match[1] as string;
      if (!isPlainKey(key, result)) throw UNSUPPORTED;
      this.next++;
      const inline = match[2];
      result[key] =
        inline === undefined || inline.startsWith('#') ? this.nested(indent, true) : scalar(inline);
    }
    return result;
  }

  /** The lines of a block sequence at `indent`, from the current line on. */
  sequence(indent: number): unknown[] {
    const result: unknown[] = [];
    for (let line = this.lines[this.next]; line !== undefined; line = this.lines[this.next]) {
      if (line.indent !== indent || !(line.text === '-' || line.text.startsWith('- '))) break;
      const rest = line.text.slice(1).trimStart();
      if (rest === '' || rest.startsWith('#')) {
        this.next++;
        result.push(this.nested(indent, false));
      } else if (rest.startsWith('- ') || rest === '-' || KEY_LINE.test(rest)) {
        // `- key: value` or `- - item`: a collection whose first line starts after the dash.
        const column = indent + line.text.length - rest.length;
        this.lines[this.next] = { indent: column, text: rest };
        result.push(this.block(column));
      } else {
        this.next++;
        result.push(scalar(rest));
      }
    }
    return result;
  }

  /**
   * The value after `key:` or `-` with nothing on its line: a block on the next, more indented,
   * lines; after a key, a sequence may also start at the key's own indentation; otherwise null.
   */
  private nested(indent: number, afterKey: boolean): unknown {
    const line = this.lines[this.next];
    if (line === undefined) return null;
    if (line.indent > indent) return this.block(line.indent);
    if (afterKey && line.indent === indent && (line.text === '-' || line.text.startsWith('- '))) {
      return this.sequence(indent);
    }
    return null;
  }

  private block(indent: number): unknown {
    const line = this.lines[this.next] as Line;
    if (line.text === '-' || line.text.startsWith('- ')) return this.sequence(indent);
    if (KEY_LINE.test(line.text)) return this.mapping(indent);
    if (line.text.startsWith('[') || line.text.startsWith('{')) {
      // A flow collection on its own line, as a formatter writes a long one after its key.
      this.next++;
      return flowCollection(line.text);
    }
    throw UNSUPPORTED; // a scalar on its own line, or continued on the next lines
  }
}

/**
 * Whether `key` reads as itself and is new in `result`: a key the core schema reads as null or a
 * boolean, an existing key (yaml refuses it with uniqueKeys), keys JavaScript treats specially
 * and keys longer than YAML's 1024-character limit on implicit keys are left to the yaml package.
 */
function isPlainKey(key: string, result: Record<string, unknown>): boolean {
  return (
    typeof plainScalar(key) === 'string' &&
    !Object.hasOwn(result, key) &&
    key !== '__proto__' &&
    key.length <= 1000
  );
}

/** A scalar written on one line after `key: ` or `- `, its comment removed. */
function scalar(text: string): unknown {
  if (text.startsWith('[') || text.startsWith('{')) return flowCollection(text);
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = text.indexOf(quote, 1);
    // No escape (`\` in double quotes, `''` in single quotes): the text between the quotes is the value.
    if (end < 0 || (quote === '"' && text.includes('\\'))) throw UNSUPPORTED;
    const after = text.slice(end + 1);
    if (after !== '' && !/^ +#/.test(after)) throw UNSUPPORTED;
    return text.slice(1, end);
  }
  const comment = text.indexOf(' #');
  const plain = comment < 0 ? text : text.slice(0, comment).trimEnd();
  // `a: b` would be a nested mapping and `a:` a key: both are YAML errors in this position.
  if (INDICATOR_START.test(plain) || plain.includes(': ') || plain.endsWith(':')) throw UNSUPPORTED;
  return plainScalar(plain);
}

/**
 * A flow collection written on one line (`[a, "b"]`, `{ x: 1, y: [2] }`), read by the yaml package
 * on its own: on one line, without anchors, aliases, tags or merge keys, it means the same there
 * as in the file. Anything else (a collection continued on the next lines, `[a]: b`, an error) is
 * left to the yaml package with the whole file.
 */
function flowCollection(text: string): unknown {
  if (/[&*!]|<</.test(text)) throw UNSUPPORTED;
  const doc = parseDocument(text, { uniqueKeys: true, merge: true });
  const { contents } = doc;
  if (
    doc.errors.length > 0 ||
    doc.warnings.length > 0 ||
    !(isMap(contents) || isSeq(contents)) ||
    !contents.flow
  ) {
    throw UNSUPPORTED;
  }
  return doc.toJS();
}

/** What the yaml package makes of a plain scalar: the first default tag whose test matches. */
function plainScalar(text: string): unknown {
  const tag = PLAIN_TAGS.find((t) => t.test.test(text));
  if (tag === undefined) return text;
  const resolved = tag.resolve(
    text,
    () => {
      throw UNSUPPORTED;
    },
    {},
  );
  const value = isScalar(resolved) ? resolved.value : resolved;
  if (typeof value === 'bigint') throw UNSUPPORTED;
  return value;
}
