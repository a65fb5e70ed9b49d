/**
 * The commands (DESIGN §7): `synth`, `check`, `diff` and `schema`. Exit codes: 0 success, 1 a check
 * failed (stale dist/, a broken rule) or an internal error, 2 bad input (config or command line).
 * Every failure prints one line per problem, never a stack trace, unless EKS_PLATFORM_DEBUG is set.
 */
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type LoadedEnvironment, loadEnvironments } from '../platform/config-files';
import { ConfigError } from '../platform/load';
import { startComparison } from './compare-files.cjs';
import { staleDistFiles } from './diff/stale-dist';
import { ownedFiles, staleLines } from './dist-freshness';
import { distAtRevision, distOnDisk, GitError } from './dist-trees';
import { completeDist, DistConflictError, INDEX_FILE, prepareDist, writeDist } from './dist-writer';
import { type Progress, progressReporter } from './progress';
import { type Rendering, render, resourceCount } from './render';
import { diffTrees, jsonReport, markdownReport, textReport } from './resource-diff';
import { ALL_RULES, runRules } from './rules/all-rules';
import { formatViolation } from './rules/violation';
import { staleSchemaFiles, writeSchemaFiles } from './schema-files';

/** The repository root: defaults do not depend on the working directory. */
const ROOT = resolve(__dirname, '..');
/** The worker file of compare-files.cjs, which the bundle (.cache/) includes but cannot name. */
const COMPARE_FILES_WORKER = join(ROOT, 'cli', 'compare-files.cjs');

/** A command-line mistake: the message, then the short usage (the full text is `--help`). */
class UsageError extends Error {}

const RENDER_OPTIONS_HELP = [
  '  --config <dir|file>  a folder of <environment>.yaml files (default: config/), or one such file',
  '  --env <name>         only this environment (repeatable)',
  '  --dist <dir>         the rendered output (default: dist/)',
  '  --tf-out <dir>       where cdktf writes the stacks (default: cdktf.out/)',
  '  -h, --help           print this help',
  '',
  'With --env, or --config naming one file, only the files of the environments rendered are',
  "written, pruned and checked; the other environments' files and their entries in",
  'dist/.generated stay as they are.',
];

const HELP: Record<string, string> = {
  synth: [
    'usage: npm run synth -- [--config <dir|file>] [--env <name>]... [--dist <dir>] [--tf-out <dir>]',
    '',
    'Renders the environments into dist/ (one Kubernetes object per file, a reviewable copy of each',
    'Terraform stack) and cdktf.out/ (the stacks cdktf deploys), removes the files it generated',
    'before and no longer generates, and prints a summary.',
    '',
    ...RENDER_OPTIONS_HELP,
    '',
    'Exit codes: 0 rendered; 2 bad configuration or command line (nothing written).',
  ].join('\n'),
  check: [
    'usage: npm run check -- [--config <dir|file>] [--env <name>]... [--dist <dir>]',
    '',
    'Renders to a temporary folder and fails when dist/ differs from the render (a file missing,',
    'changed or no longer generated) or a generated file (config/schema.json, docs/configuration.md,',
    'docs/checks.md) is stale, then runs every rule of docs/checks.md on the rendered objects and',
    'stacks. A finding on an object or resource that records an exception with a reason is printed',
    'as `check: exception [...]` and does not fail.',
    '',
    ...RENDER_OPTIONS_HELP.filter((line) => !line.includes('--tf-out')),
    '',
    'Exit codes: 0 everything passes; 1 dist/ is stale or a rule fails; 2 bad configuration or',
    'command line.',
  ].join('\n'),
  diff: [
    'usage: npm run diff -- --base <git-ref> [--format markdown|text|json] [--config <dir|file>] [--dist <dir>]',
    '',
    'Resource-level review of what changes in dist/ between <git-ref> and the working tree:',
    'Kubernetes objects and Terraform resources added, removed and changed, field by field.',
    '',
    '  --base <git-ref>     the revision to compare with, e.g. origin/main',
    '  --format <format>    markdown (default), text or json',
    '  --config <dir|file>  the config dist/ must be the render of (default: config/)',
    '  --dist <dir>         the rendered output (default: dist/)',
    '  -h, --help           print this help',
    '',
    'Exit codes: 0 reported; 1 dist/ is stale (run npm run synth first); 2 bad command line,',
    'bad configuration or unknown revision.',
  ].join('\n'),
  schema: [
    'usage: npm run schema',
    '',
    'Writes config/schema.json, the JSON Schema of an environment file (editors use it for',
    'completion and hover help), and docs/configuration.md, the reference of every field, both',
    'generated from the validation schema.',
    '',
    '  -h, --help           print this help',
  ].join('\n'),
};

const USAGE = [
  'usage: npm run <synth|check> -- [--config <dir|file>] [--dist <dir>] [--tf-out <dir>] [--env <name>]...',
  '       npm run diff -- --base <git-ref> [--format markdown|text|json] [--config <dir|file>] [--dist <dir>]',
  '       npm run schema',
  '       npm run <command> -- --help    the options of a command',
].join('\n');

const GENERAL_HELP = [
  USAGE,
  '',
  'Commands:',
  '  synth    render config/ into dist/ and cdktf.out/',
  '  check    fail when dist/ is stale, then run every validation rule',
  '  diff     resource-level review of the changes in dist/ against a git revision',
  '  schema   write config/schema.json',
  '',
  'Set EKS_PLATFORM_DEBUG=1 to print the stack trace of an internal error.',
].join('\n');

function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

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
  const options = {
    config: resolve(values.config ?? join(ROOT, 'config')),
    dist: resolve(values.dist ?? join(ROOT, 'dist')),
    tfOut: resolve(values['tf-out'] ?? join(ROOT, 'cdktf.out')),
    envs: values.env ?? [],
  };
  for (const [option, dir] of [
    ['--dist', options.dist],
    ['--tf-out', options.tfOut],
  ] as const) {
    // Created when missing; a file in their place would fail halfway through the write.
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
      throw new UsageError(`${option} ${dir}: is not a directory`);
    }
  }
  return options;
}

const OPTIONS = {
  config: { type: 'string' },
  dist: { type: 'string' },
  'tf-out': { type: 'string' },
  env: { type: 'string', multiple: true },
} as const;

interface Selection {
  readonly environments: readonly LoadedEnvironment[];
  /**
   * The environments a partial render owns in dist/ (`--env`, or `--config` naming one file);
   * undefined when every environment of the config folder is rendered.
   */
  readonly only: readonly string[] | undefined;
}

function select(options: Options): Selection {
  const environments = loadEnvironments(options.config, { fs, only: options.envs, cwd: process.cwd() });
  const partial = options.envs.length > 0 || !fs.statSync(options.config).isDirectory();
  return { environments, only: partial ? environments.map((e) => e.config.name) : undefined };
}

function renderSelection(selection: Selection, tfOutDir: string, progress: Progress): Rendering {
  return render(
    selection.environments.map((e) => e.config),
    {
      tfOutDir,
      onProgress: (done, total, unit) => progress(`rendered ${done} of ${total} units (${unit})`),
    },
  );
}

/** "dev, prod" or "every environment (dev, prod)": what a command covered. */
function scopeText(selection: Selection): string {
  const names = selection.environments.map((e) => e.config.name).join(', ');
  return selection.only === undefined ? `every environment (${names})` : names;
}

/** The synth command that refreshes what a check covered: the same config, environments and dist/. */
function synthCommand(options: Options): string {
  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
  };
  const args: string[] = [];
  if (options.config !== join(ROOT, 'config')) args.push('--config', shown(options.config));
  for (const env of options.envs) args.push('--env', env);
  if (options.dist !== join(ROOT, 'dist')) args.push('--dist', shown(options.dist));
  return args.length === 0 ? 'npm run synth' : `npm run synth -- ${args.join(' ')}`;
}

function synth(options: Options): number {
  const progress = progressReporter('synth');
  const selection = select(options);
  const rendering = renderSelection(selection, options.tfOut, progress);
  const plan = writeDist(options.dist, ownedFiles(rendering), selection.only);
  const resources = rendering.stacks.reduce((sum, s) => sum + resourceCount(s), 0);
  const clusters = new Set(rendering.objects.map((o) => o.cluster)).size;
  console.log(
    `synth: ${selection.environments.length} environment(s): ${rendering.stacks.length} stacks (${resources} resources), ` +
      `${rendering.objects.length} Kubernetes objects on ${clusters} cluster(s)`,
  );
  const others = selection.only === undefined ? '' : `; other environments' files untouched`;
  console.log(
    `dist: ${plan.added.length} added, ${plan.changed.length} changed, ${plan.removed.length} removed, ${plan.unchanged} unchanged` +
      ` for ${scopeText(selection)}${others}`,
  );
  return 0;
}

function check(options: Options): number {
  const progress = progressReporter('check');
  const selection = select(options);
  const tfOut = mkdtempSync(join(tmpdir(), 'eks-platform-check-'));
  let failures = 0;
  try {
    const rendering = renderSelection(selection, tfOut, progress);
    // Reading dist/ (25,000 files on a large platform) overlaps the rules, on a worker thread.
    const prepared = prepareDist(options.dist, ownedFiles(rendering), selection.only);
    const comparison = startComparison(options.dist, prepared.files, {
      workerFile: COMPARE_FILES_WORKER,
    });
    progress('running the rules');
    const configs = selection.environments.map((e) => e.config);
    const violations = runRules(ALL_RULES, { rendering, configs });
    progress('comparing dist/ with the render');
    const plan = completeDist(prepared, comparison.result());
    const stale = staleLines(plan);
    if (stale.length > 0) {
      console.error(
        `check: dist/ is stale for ${scopeText(selection)} (${stale.length} file(s)); run \`${synthCommand(options)}\` and commit dist/:`,
      );
      for (const line of stale) console.error(`  ${line}`);
      failures += stale.length;
    }
    for (const file of staleSchemaFiles(ROOT)) {
      console.error(`check: ${file} is stale; run \`npm run schema\` and commit it`);
      failures++;
    }
    const broken = violations.filter((v) => v.exception === undefined);
    for (const v of violations.filter((x) => x.exception !== undefined))
      console.log(`check: exception ${formatViolation(v)}`);
    for (const v of broken) console.error(`check: ${formatViolation(v)}`);
    failures += broken.length;
    if (failures === 0) {
      // plan.files holds the index too: it is checked like any other file.
      console.log(
        `check: ok: dist/ is up to date for ${scopeText(selection)} (${plan.files.size - 1} files and ${INDEX_FILE}); ` +
          `${rendering.objects.length} objects and ${rendering.stacks.length} stacks pass every rule`,
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
  if (values.base === undefined) {
    throw new UsageError('diff needs --base <git-ref>, e.g. --base origin/main');
  }
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

function schema(args: readonly string[]): number {
  if (args.length > 0) throw new UsageError(`schema takes no option, got ${args.join(' ')}`);
  console.log(`schema: wrote ${writeSchemaFiles(ROOT).join(' and ')}`);
  return 0;
}

function run(command: string | undefined, rest: string[]): number {
  if (command === undefined) throw new UsageError('missing command');
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(GENERAL_HELP);
    return 0;
  }
  const help = HELP[command];
  if (help === undefined) throw new UsageError(`unknown command ${command}`);
  if (wantsHelp(rest)) {
    console.log(help);
    return 0;
  }
  switch (command) {
    case 'synth':
      return synth(parseOptions(rest));
    case 'check':
      return check(parseOptions(rest));
    case 'diff':
      return diff(rest);
    default:
      return schema(rest);
  }
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    return run(command, rest);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.message.split('\n')) console.error(problem);
      console.error(`${command}: ${error.problems.length} configuration problem(s); nothing was written`);
      return 2;
    }
    if (error instanceof DistConflictError) {
      console.error(error.message);
      console.error(`${command}: nothing was written`);
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
    // A bug, not a user mistake: one line, and the stack trace only on request.
    if (process.env.EKS_PLATFORM_DEBUG) console.error(error);
    else {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      console.error(`${command}: internal error: ${message} (set EKS_PLATFORM_DEBUG=1 for the stack trace)`);
    }
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
