/**
 * `npm run bench -- --experiments`: the same render of the example started in other ways, to put
 * figures on the start-up cost: npm, the tsx wrapper process, tsx's ESM hooks thread, source-mapped
 * stack traces, transpiling TypeScript on the fly, and resolving and compiling hundreds of CommonJS
 * modules. Nothing here changes how `npm run synth` runs; these are measured proposals. Every
 * variant must write the same dist/ as `npm run synth`, or the experiment fails.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, type Measurement, measureProcess, summarize } from './measure-process';

export interface ExperimentOptions {
  readonly root: string;
  readonly configDir: string;
  readonly work: string;
  readonly runs: number;
}

interface Variant {
  readonly name: string;
  readonly command: Command;
}

/**
 * Bundles cli/main.ts with esbuild (a dependency of tsx, so it is installed). The bundles live in
 * node_modules/.cache so that the requires `--packages=external` leaves still resolve.
 */
function bundle(root: string, outfile: string, external: boolean): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(
    join(root, 'node_modules', '.bin', 'esbuild'),
    [
      'cli/main.ts',
      '--bundle',
      '--platform=node',
      '--format=cjs',
      '--target=node20',
      '--log-level=error',
      `--outfile=${outfile}`,
      ...(external ? ['--packages=external'] : []),
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`esbuild failed:\n${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One digest of every file's path and content: equal digests, byte-identical dist/ folders. */
function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hash.update(`${file.slice(dir.length)}\0`).update(readFileSync(file));
  return hash.digest('hex');
}

export function runExperiments(options: ExperimentOptions): string {
  const { root, configDir, work, runs } = options;
  const cache = join(root, 'node_modules', '.cache', 'eks-platform-bench');
  mkdirSync(cache, { recursive: true });
  const everything = join(cache, 'main-bundled.cjs');
  const buildAll = bundle(root, everything, false);
  const dist = join(work, 'dist');
  const synth = ['synth', '--config', configDir, '--dist', dist, '--tf-out', join(work, 'tf-out')];
  const node = (args: string[], env?: Record<string, string>): Command => ({
    command: process.execPath,
    args: [...args, ...synth],
    cwd: root,
    ...(env ? { env } : {}),
  });
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const variants: Variant[] = [
    {
      name: '`npm run synth` (as shipped: cli/run.cjs, cached esbuild bundle of our code)',
      command: { command: 'npm', args: ['run', '--silent', 'synth', '--', ...synth.slice(1)], cwd: root },
    },
    { name: '`node cli/run.cjs` (as shipped, no npm)', command: node(['cli/run.cjs']) },
    { name: '`tsx cli/main.ts` (no npm)', command: node([tsx, 'cli/main.ts']) },
    {
      name: '`tsx cli/main.ts`, cold tsx cache (TSX_DISABLE_CACHE=1: fresh checkout, CI)',
      command: node([tsx, 'cli/main.ts'], { TSX_DISABLE_CACHE: '1' }),
    },
    {
      name: '`node --require tsx/cjs cli/main.ts` (no wrapper process, no ESM hooks thread)',
      command: node(['--require', 'tsx/cjs', 'cli/main.ts']),
    },
    {
      name: 'the same, source maps off (bench/disable-source-maps.cjs)',
      command: node(['--require', 'tsx/cjs', '--require', './bench/disable-source-maps.cjs', 'cli/main.ts']),
    },
    {
      name: `esbuild bundle of everything (built in ${buildAll.toFixed(0)} ms)`,
      command: node([everything]),
    },
  ];
  const lines = [
    `| start-up variant, render of the example (median of ${runs}, interleaved) | wall s | min-max s | CPU s | peak MiB |`,
    '| --- | --- | --- | --- | --- |',
  ];
  let expected: string | undefined;
  const once = (variant: Variant) => {
    rmSync(dist, { recursive: true, force: true });
    const measurement = measureProcess(variant.command);
    const digest = treeDigest(dist);
    expected ??= digest;
    if (digest !== expected) throw new Error(`experiment "${variant.name}" wrote a different dist/`);
    return measurement;
  };
  // Round-robin, so that other work on the machine weighs on every variant alike.
  process.stderr.write(`bench: experiments: ${variants.length} variants x (1 warm-up + ${runs})...\n`);
  for (const variant of variants) once(variant);
  const measured = variants.map(() => [] as Measurement[]);
  for (let run = 0; run < runs; run++) {
    for (const [i, variant] of variants.entries()) measured[i]?.push(once(variant));
  }
  variants.forEach((variant, i) => {
    const summary = summarize(measured[i] ?? []);
    const s = (ms: number) => (ms / 1000).toFixed(2);
    lines.push(
      `| ${variant.name} | ${s(summary.wallMs)} | ${s(summary.minWallMs)}-${s(summary.maxWallMs)} | ` +
        `${s(summary.cpuMs)} | ${summary.peakMiB.toFixed(0)} |`,
    );
  });
  lines.push('', 'every variant wrote a byte-identical dist/');
  return lines.join('\n');
}
