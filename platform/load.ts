/**
 * Turns the text of an environment file into a validated PlatformConfig, or into a list of
 * problems that each name the file, the field, what was received and what is allowed.
 * Pure: the caller reads the files (nothing below main.ts touches the file system).
 */
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { parsePlainYaml } from './plain-yaml';
import { type PlatformConfig, platformSchema } from './schema';

export interface ConfigProblem {
  /** The file as the user named it, e.g. `config/prod.yaml`. */
  readonly file: string;
  /** Dotted path of the field, e.g. `clusters[1].nodeGroups[0].maxSize`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** Raised for any problem a user can cause in the configuration; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.path === ''
    ? `${problem.file}: ${problem.message}`
    : `${problem.file}: ${problem.path}: ${problem.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/**
 * How many times the YAML aliases of one file may be expanded: each use of an anchor counts the
 * aliases nested in the anchored value (yaml's maxAliasCount). A large real config shares a few
 * anchors (`<<: *defaults`) across a few thousand apps; a "billion laughs" document nests
 * aliases of aliases to expand into billions of nodes. yaml's default (100) refuses the former.
 * https://eemeli.org/yaml/#options (maxAliasCount), https://en.wikipedia.org/wiki/Billion_laughs_attack
 */
export const MAX_ALIAS_EXPANSIONS = 10_000;

/**
 * Parses and validates one environment file. `environment` is the file's base name (prod for
 * prod.yaml). YAML merge keys (`<<: *defaults`, YAML 1.1, https://yaml.org/type/merge.html) are
 * supported: keys written next to `<<` override the merged ones.
 */
export function parseConfig(text: string, file: string, environment: string): PlatformConfig {
  // Plain YAML (what environment files are) is read directly; the yaml package reads the rest.
  const input = parsePlainYaml(text) ?? yamlInput(text, file);
  const caseProblem = nameCaseProblem(input, environment);
  const result = platformSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.filter(
      (i) => caseProblem === undefined || formatPath(i.path) !== 'name',
    );
    throw new ConfigError([
      ...(caseProblem === undefined ? [] : [{ file, path: 'name', message: caseProblem }]),
      ...issues.flatMap((issue) => problemsOf(issue, input, file)),
    ]);
  }
  if (result.data.name !== environment) {
    throw new ConfigError([
      {
        file,
        path: 'name',
        message: `must equal the file name "${environment}", got ${JSON.stringify(result.data.name)}`,
      },
    ]);
  }
  return result.data;
}

/** The JavaScript value of an environment file read by the yaml package, or its YAML problems. */
function yamlInput(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        const where = `line ${pos.line}, column ${pos.col}: `;
        return { file, path: '', message: `${where}invalid YAML: ${error.message.split('\n')[0]}` };
      }),
    );
  }
  if (!isMap(doc.contents)) {
    throw new ConfigError([
      { file, path: '', message: 'must be a YAML mapping of the environment fields (name, account, …)' },
    ]);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (error) {
    const message = (error as Error).message;
    if (!message.startsWith('Excessive alias count')) {
      // An alias to an anchor defined later, or a merge key on something that is not a mapping.
      throw new ConfigError([{ file, path: '', message: `invalid YAML: ${message.split('\n')[0]}` }]);
    }
    throw new ConfigError([
      {
        file,
        path: '',
        message:
          `its YAML aliases expand to more than ${MAX_ALIAS_EXPANSIONS} copies (an anchor used that many times, ` +
          'or aliases nested inside anchored values that multiply): refused as a resource exhaustion ("billion laughs") document',
      },
    ]);
  }
}

/** `name: Prod` in prod.yaml: say why case matters rather than only that the pattern failed. */
function nameCaseProblem(input: unknown, environment: string): string | undefined {
  const name = (input as { name?: unknown }).name;
  if (typeof name !== 'string' || name === environment || name.toLowerCase() !== environment)
    return undefined;
  return (
    `must equal the file name "${environment}" exactly: environment names are lowercase because they ` +
    `become EKS cluster, IAM role and DNS names, got ${JSON.stringify(name)}`
  );
}

function problemsOf(issue: z.core.$ZodIssue, input: unknown, file: string): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(platformSchema, issue.path);
    return issue.keys.map((key) => ({
      file,
      path: formatPath([...issue.path, key]),
      message: `unknown key${allowed ? `; allowed keys here: ${allowed}` : ''}`,
    }));
  }
  const path = formatPath(issue.path);
  const present = hasPath(input, issue.path);
  const received = present ? describe(valueAt(input, issue.path)) : undefined;
  let message: string;
  switch (issue.code) {
    case 'invalid_type':
      message = !present
        ? `is required (${issue.expected})`
        : issue.message.startsWith('Invalid input')
          ? `must be ${article(issue.expected)}, got ${received}`
          : `${issue.message}, got ${received}`;
      break;
    case 'invalid_value':
      message = issue.message.startsWith('Invalid ')
        ? `must be one of ${issue.values.map((v) => String(v)).join(', ')}, got ${received}`
        : `${issue.message}, got ${received}`;
      break;
    case 'too_small':
    case 'too_big': {
      const custom = !issue.message.startsWith('Too ');
      const bound = issue.code === 'too_small' ? `>= ${issue.minimum}` : `<= ${issue.maximum}`;
      const what =
        issue.origin === 'array' ? 'the number of entries ' : issue.origin === 'string' ? 'the length ' : '';
      message = custom ? `${issue.message}, got ${received}` : `${what}must be ${bound}, got ${received}`;
      break;
    }
    case 'invalid_key':
      // The path already ends with the key: say what is wrong with it.
      message = issue.issues.map((inner) => inner.message).join('; ');
      break;
    default:
      // A message that already says what it got (a length, a count) is not repeated.
      message =
        present && !issue.message.includes(', got ') ? `${issue.message}, got ${received}` : issue.message;
  }
  return [{ file, path, message }];
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function hasPath(input: unknown, path: readonly PropertyKey[]): boolean {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(key in node)) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/**
 * The keys the schema allows on the object found at a path of the input. The input tells us
 * nothing about the schema, so the schema is walked alongside the path instead.
 */
function allowedKeys(root: z.core.$ZodType, path: readonly PropertyKey[]): string | undefined {
  let node: z.core.$ZodType | undefined = unwrap(root);
  for (const key of path) {
    const def = node?._zod.def as unknown as Record<string, unknown> | undefined;
    if (def?.type === 'object') node = (def.shape as Record<PropertyKey, z.core.$ZodType>)[key];
    else if (def?.type === 'array') node = def.element as z.core.$ZodType;
    else if (def?.type === 'record') node = def.valueType as z.core.$ZodType;
    else return undefined;
    node = node && unwrap(node);
  }
  const def = node?._zod.def as unknown as Record<string, unknown> | undefined;
  return def?.type === 'object' ? Object.keys(def.shape as object).join(', ') : undefined;
}

/** Looks through defaults, optionals and transforms to the schema that checks the input. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let node = schema;
  for (;;) {
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (['default', 'prefault', 'optional', 'nullable', 'readonly'].includes(def.type as string)) {
      node = def.innerType as z.core.$ZodType;
    } else if (def.type === 'pipe') {
      node = def.in as z.core.$ZodType;
    } else {
      return node;
    }
  }
}
