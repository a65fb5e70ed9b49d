/**
 * Rule `terraform-references`: every reference in a synthesized stack (`${aws_vpc.vpc.id}`,
 * `${data.x.y.json}`, `${var.v}`, `${local.l}`, `depends_on` entries) names a resource, data
 * source, variable, local or module that the same stack declares. A stack is planned on its own:
 * a reference to another stack's resource fails only at `terraform plan`, so it is caught here.
 *
 * The scanner reads Terraform's JSON syntax: every string is a template whose `${…}` and `%{…}`
 * sequences hold expressions (`$${` and `%%{` are escapes); object keys are templates too.
 * https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping
 * Heredocs do not occur in JSON syntax and are not read.
 */
import { type ExceptionSource, type Rule, terraformComments } from './rule';

export interface TerraformReference {
  /** What the reference points at, e.g. `aws_vpc.vpc`, `data.aws_iam_policy_document.trust`, `var.region`. */
  readonly address: string;
  /** Dotted path of the JSON value holding it, e.g. `resource.aws_subnet.subnet-private-a.vpc_id`. */
  readonly at: string;
  /** The expression it was found in. */
  readonly expression: string;
}

/** Names that start a reference but are not declared objects. */
const BUILTIN_ROOTS = new Set(['each', 'count', 'self', 'path', 'terraform']);
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if', 'else', 'endif', 'endfor']);
/** Keys whose string values are plain references (no `${}`) in Terraform JSON. */
const REFERENCE_LIST_KEYS = new Set(['depends_on', 'replace_triggered_by']);

/** Every reference in a stack's Terraform JSON, in document order. */
export function terraformReferences(json: Record<string, unknown>): TerraformReference[] {
  const found: TerraformReference[] = [];
  walk(json, [], found);
  return found;
}

/** The references of a stack that name nothing the stack declares. */
export function unresolvedReferences(json: Record<string, unknown>): TerraformReference[] {
  const declared = declaredAddresses(json);
  return terraformReferences(json).filter((ref) => !declared.has(ref.address));
}

export const terraformReferencesRule: Rule<'terraform-references'> = {
  id: 'terraform-references',
  summary:
    "Every reference in a stack (to a resource, data source, variable, local or module, in an interpolation or `depends_on`) names something the same stack declares: a stack is planned on its own, so a reference to another stack's resource would fail only at `terraform plan`.",
  withoutSubject:
    'a reference outside a resource block (in a data source, provider, local, output or the terraform block): exceptions are read from resources only, where infra code records them, and a data source cannot hold one (cdktf replaces its `"//"` with its metadata).',
  check: ({ rendering }) =>
    rendering.stacks.flatMap((stack) =>
      unresolvedReferences(stack.json).map((ref) => {
        const subject = referringResource(stack.json, ref.at);
        return {
          file: stack.path,
          message: `${ref.at}: \`${ref.expression.trim()}\` refers to ${ref.address}, which stack ${stack.name} does not declare`,
          ...(subject === undefined ? {} : { subject }),
        };
      }),
    ),
};

/**
 * The exception source of the resource holding a reference at `at` (`resource.<type>.<name>…`);
 * undefined for a reference elsewhere (data sources, providers, locals, outputs), where nothing
 * can carry an exception.
 */
function referringResource(json: Record<string, unknown>, at: string): ExceptionSource | undefined {
  const [root, type, name] = at.split('.');
  if (root !== 'resource' || type === undefined || name === undefined) return undefined;
  return terraformComments(asObject(asObject(asObject(json.resource)[type])[name]));
}

/** Addresses a stack declares: `type.name`, `data.type.name`, `var.name`, `local.name`, `module.name`. */
export function declaredAddresses(json: Record<string, unknown>): Set<string> {
  const declared = new Set<string>();
  const blocks = (key: string) => asObject(json[key]);
  for (const [type, byName] of Object.entries(blocks('resource'))) {
    for (const name of Object.keys(asObject(byName))) declared.add(`${type}.${name}`);
  }
  for (const [type, byName] of Object.entries(blocks('data'))) {
    for (const name of Object.keys(asObject(byName))) declared.add(`data.${type}.${name}`);
  }
  for (const name of Object.keys(blocks('variable'))) declared.add(`var.${name}`);
  for (const name of Object.keys(blocks('module'))) declared.add(`module.${name}`);
  // `locals` is an object, or a list of objects when several blocks were merged.
  const locals = json.locals;
  for (const block of Array.isArray(locals) ? locals : [locals]) {
    for (const name of Object.keys(asObject(block))) declared.add(`local.${name}`);
  }
  return declared;
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function walk(value: unknown, path: readonly string[], found: TerraformReference[]): void {
  if (typeof value === 'string') {
    const key = path[path.length - 1] ?? '';
    const parent = path[path.length - 2] ?? '';
    // depends_on: ["aws_x.y"] holds bare references; list items are keyed by their index.
    const expressions =
      REFERENCE_LIST_KEYS.has(parent) && /^\[\d+\]$/.test(key) ? [value] : templateExpressions(value);
    collect(expressions, path, found);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, [...path, `[${i}]`], found);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      // "//" keys are comments in Terraform JSON (cdktf puts construct metadata there).
      if (key === '//') continue;
      collect(templateExpressions(key), [...path, key], found);
      walk(child, [...path, key], found);
    }
  }
}

function collect(expressions: readonly string[], path: readonly string[], found: TerraformReference[]) {
  if (expressions.length === 0) return;
  const at = path.join('.').replace(/\.\[/g, '[');
  // `for` binds names over the whole template (a `%{ for x in … }` directive binds `x` in the
  // template text that follows it), so bound names are gathered before references are classified.
  const tokenized = expressions.map(tokenize);
  const bound = new Set(tokenized.flatMap(forBindings));
  tokenized.forEach((tokens, i) => {
    for (const address of referencesIn(tokens, bound)) {
      found.push({ address, at, expression: expressions[i] ?? '' });
    }
  });
}

/**
 * The expressions of a template string: the text inside each top-level `${…}` and `%{…}`, plus
 * the expressions of templates nested in their string literals.
 */
export function templateExpressions(template: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i) || template.startsWith('%%{', i)) {
      i += 3;
    } else if (template.startsWith('${', i) || template.startsWith('%{', i)) {
      i = readInterpolation(template, i + 2, out);
    } else {
      i++;
    }
  }
  return out;
}

/** Reads an expression starting at `start` up to its closing brace; returns the index after it. */
function readInterpolation(text: string, start: number, out: string[]): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = skipStringLiteral(text, i, out);
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      if (depth === 0) {
        // `${~ expr ~}` strip markers are not part of the expression.
        out.push(text.slice(start, i).replace(/^~/, '').replace(/~$/, ''));
        return i + 1;
      }
      depth--;
    }
    i++;
  }
  throw new Error(`unterminated template sequence in ${JSON.stringify(text)}`);
}

/** Skips a quoted string literal starting at `start` (its opening quote); returns the index after it. */
function skipStringLiteral(text: string, start: number, out: string[]): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
    } else if (c === '"') {
      return i + 1;
    } else if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      i += 3;
    } else if (text.startsWith('${', i) || text.startsWith('%{', i)) {
      i = readInterpolation(text, i + 2, out);
    } else {
      i++;
    }
  }
  throw new Error(`unterminated string literal in ${JSON.stringify(text)}`);
}

interface Token {
  readonly kind: 'identifier' | 'punctuation' | 'literal';
  readonly text: string;
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      // Templates nested in the literal were already returned by templateExpressions.
      const end = skipStringLiteral(expression, i, []);
      tokens.push({ kind: 'literal', text: expression.slice(i, end) });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(expression.slice(i));
      const text = match?.[0] ?? c;
      tokens.push({ kind: 'identifier', text });
      i += text.length;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9][0-9.]*([eE][+-]?[0-9]+)?/.exec(expression.slice(i));
      const text = match?.[0] ?? c;
      tokens.push({ kind: 'literal', text });
      i += text.length;
    } else {
      tokens.push({ kind: 'punctuation', text: c });
      i++;
    }
  }
  return tokens;
}

/** Names bound by `for a, b in …` (list/object `for` expressions and `%{ for }` directives). */
function forBindings(tokens: readonly Token[]): string[] {
  const names: string[] = [];
  tokens.forEach((token, i) => {
    if (token.kind !== 'identifier' || token.text !== 'for') return;
    for (let j = i + 1; j < tokens.length; j++) {
      const next = tokens[j];
      if (next === undefined || (next.kind === 'identifier' && next.text === 'in')) break;
      if (next.kind === 'identifier') names.push(next.text);
    }
  });
  return names;
}

/** The object addresses a tokenized expression refers to. */
function referencesIn(tokens: readonly Token[], bound: ReadonlySet<string>): string[] {
  const addresses: string[] = [];
  const textAt = (i: number) => tokens[i]?.text;
  tokens.forEach((token, i) => {
    if (token.kind !== 'identifier') return;
    // Only traversal roots: not an attribute (`x.attr`), not part of `provider::ns::fn`.
    if (textAt(i - 1) === '.' || (textAt(i - 1) === ':' && textAt(i - 2) === ':')) return;
    if (textAt(i + 1) === '(' || (textAt(i + 1) === ':' && textAt(i + 2) === ':')) return;
    const root = token.text;
    if (KEYWORDS.has(root) || BUILTIN_ROOTS.has(root) || bound.has(root)) return;
    const attributes: string[] = [];
    for (let j = i + 1; textAt(j) === '.' && tokens[j + 1]?.kind === 'identifier'; j += 2) {
      attributes.push(textAt(j + 1) ?? '');
    }
    const [first, second] = attributes;
    if (first === undefined) return; // a bare name: an object key or a bound name, not a reference
    // `var.x`, `local.x`, `module.x` and `<resource type>.<name>` take one attribute; data two.
    if (root === 'data' && second !== undefined) addresses.push(`data.${first}.${second}`);
    else addresses.push(`${root}.${first}`);
  });
  return addresses;
}
