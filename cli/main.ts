/**
 * The commands (DESIGN §7): `synth`, `check`, `diff` and `schema`. Exit codes: 0 success, 1 a check
 * failed (stale dist/, a broken rule), 2 bad input (config or command line).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../platform/load';
import { platformJsonSchema } from '../platform/schema';
import { loadEnvironments } from './config-files';
import { staleDistFiles } from './diff/stale-dist';
import { distAtRevision, distOnDisk, GitError } from './dist-trees';
import { collectDist, planDist, writeDist } from './dist-writer';
import { render, resourceCount } from './render';
import { diffTrees, jsonReport, markdownReport, textReport } from './resource-diff';
import { ruleViolations } from './rules/all-rules';
import { formatViolation } from './rules/violation';

/** The repository root: defaults do not depend on the working directory. */
const ROOT = resolve(__dirname, '..');
const SCHEMA_FILE = join(ROOT, 'config', 'schema.json');

class UsageError extends Error {}

const USAGE = [
  'usage: npm run <synth|check> -- [--config <dir|file>] [--dist <dir>] [--tf-out <dir>] [--env <name>]...',
  '       npm run diff -- --base <git-ref> [--format markdown|text|json] [--dist <dir>]',
  '       npm run schema',
].join('\n');

interface Options {
  readonly config: string;
  readonly dist: string;
  readonly tfOut: string;
  readonly envs: readonly string[];
}

function parseOptions(args: string[]): Options {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  return {
    config: resolve(values.config ?? join(ROOT, 'config')),
    dist: resolve(values.dist ?? join(ROOT, 'dist')),
    tfOut: resolve(values['tf-out'] ?? join(ROOT, 'cdktf.out')),
    envs: values.env ?? [],
  };
}

const OPTIONS = {
  config: { type: 'string' },
  dist: { type: 'string' },
  'tf-out': { type: 'string' },
  env: { type: 'string', multiple: true },
} as const;

function synth(options: Options): number {
  const environments = loadEnvironments(options.config, options.envs);
  const rendering = render(
    environments.map((e) => e.config),
    { tfOutDir: options.tfOut },
  );
  const plan = writeDist(options.dist, rendering.files);
  const resources = rendering.stacks.reduce((sum, s) => sum + resourceCount(s), 0);
  const clusters = new Set(rendering.objects.map((o) => o.cluster)).size;
  console.log(
    `synth: ${environments.length} environment(s): ${rendering.stacks.length} stacks (${resources} resources), ` +
      `${rendering.objects.length} Kubernetes objects on ${clusters} cluster(s)`,
  );
  console.log(
    `dist: ${plan.added.length} added, ${plan.changed.length} changed, ${plan.removed.length} removed, ${plan.unchanged} unchanged`,
  );
  return 0;
}

function check(options: Options): number {
  const environments = loadEnvironments(options.config, options.envs);
  const tfOut = mkdtempSync(join(tmpdir(), 'eks-platform-check-'));
  let failures = 0;
  try {
    const rendering = render(
      environments.map((e) => e.config),
      { tfOutDir: tfOut },
    );
    const plan = planDist(options.dist, collectDist(rendering.files));
    const stale = [
      ...plan.added.map((p) => `dist/${p}: missing`),
      ...plan.changed.map((p) => `dist/${p}: differs from the render`),
      ...plan.removed.map((p) => `dist/${p}: no longer generated`),
    ];
    if (options.envs.length > 0) {
      // dist/ holds every environment; a partial render cannot tell a stale file from another's.
      console.log('check: --env given: the freshness of dist/ is checked only without --env');
    } else if (stale.length > 0) {
      console.error(
        `check: dist/ is stale (${stale.length} file(s)); run \`npm run synth\` and commit dist/:`,
      );
      for (const line of stale) console.error(`  ${line}`);
      failures += stale.length;
    }
    if (readFileOr(SCHEMA_FILE) !== schemaText()) {
      console.error('check: config/schema.json is stale; run `npm run schema` and commit it');
      failures++;
    }
    const configs = environments.map((e) => e.config);
    const violations = ruleViolations(rendering, configs);
    const broken = violations.filter((v) => v.exception === undefined);
    for (const v of violations.filter((x) => x.exception !== undefined))
      console.log(`check: exception ${formatViolation(v)}`);
    for (const v of broken) console.error(`check: ${formatViolation(v)}`);
    failures += broken.length;
    if (failures === 0) {
      console.log(
        `check: ok: dist/ is up to date (${rendering.files.length} files); ${rendering.objects.length} objects and ${rendering.stacks.length} stacks pass every rule`,
      );
    }
  } finally {
    rmSync(tfOut, { recursive: true, force: true });
  }
  return failures === 0 ? 0 : 1;
}

const DIFF_OPTIONS = {
  base: { type: 'string' },
  format: { type: 'string', default: 'markdown' },
  dist: { type: 'string' },
  config: { type: 'string' },
} as const;

/** At most this many stale files are named; the rest are counted. */
const STALE_LINES = 20;

function diff(args: string[]): number {
  let values: { base?: string; format?: string; dist?: string; config?: string };
  try {
    ({ values } = parseArgs({ args, options: DIFF_OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.base === undefined) throw new UsageError('diff needs --base <git-ref>, e.g. --base origin/main');
  const format = values.format ?? 'markdown';
  if (!['markdown', 'text', 'json'].includes(format)) {
    throw new UsageError(`--format must be markdown, text or json, got ${JSON.stringify(format)}`);
  }
  const distDir = resolve(values.dist ?? join(ROOT, 'dist'));
  const base = distAtRevision(distDir, values.base);
  // The report compares dist/ trees: it is only the change under review if dist/ is the render of
  // the config in the working tree.
  const stale = staleDistFiles(resolve(values.config ?? join(ROOT, 'config')), distDir);
  if (stale.length > 0) {
    console.error(
      `diff: dist/ is stale: the config no longer renders to ${distDir} (${stale.length} file(s) differ); run \`npm run synth\` (and commit dist/), then diff again:`,
    );
    for (const line of stale.slice(0, STALE_LINES)) console.error(`  ${line}`);
    if (stale.length > STALE_LINES) console.error(`  … and ${stale.length - STALE_LINES} more`);
    return 1;
  }
  const result = diffTrees(base, distOnDisk(distDir));
  if (format === 'json') console.log(jsonReport(result, values.base).trimEnd());
  else if (format === 'text') console.log(textReport(result, values.base).trimEnd());
  else console.log(markdownReport(result, values.base).join('\n\n').trimEnd());
  return 0;
}

function readFileOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function schemaText(): string {
  return `${JSON.stringify(platformJsonSchema(), null, 2)}\n`;
}

function schema(): number {
  writeFileSync(SCHEMA_FILE, schemaText());
  console.log('schema: wrote config/schema.json');
  return 0;
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'synth':
        return synth(parseOptions(rest));
      case 'check':
        return check(parseOptions(rest));
      case 'diff':
        return diff(rest);
      case 'schema':
        return schema();
      default:
        throw new UsageError(command === undefined ? 'missing command' : `unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.message.split('\n')) console.error(problem);
      console.error(`${command}: ${error.problems.length} configuration problem(s); nothing was written`);
      return 2;
    }
    if (error instanceof GitError) {
      console.error(`diff: ${error.message}`);
      return 2;
    }
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
