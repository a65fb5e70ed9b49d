/**
 * Runs a command as a whole process and measures its wall time, CPU time and peak memory, the way
 * a user experiences it: npm, Node startup, tsx transpilation and every child process included.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Measurement {
  readonly wallMs: number;
  /** User + system CPU time of the whole process tree: less sensitive than wall time to a busy machine. */
  readonly cpuMs: number;
  /** Peak resident set size of the largest process of the tree, in MiB. */
  readonly peakMiB: number;
  readonly stdout: string;
}

export interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

const GNU_TIME = '/usr/bin/time';

/** How peak memory is measured on this machine, for the report. */
export function peakMemoryMethod(): string {
  return existsSync(GNU_TIME)
    ? `${GNU_TIME} -f '%M %U %S' (max RSS of the largest process; CPU of the whole tree)`
    : 'process.resourceUsage() of each Node process (bench/peak-rss-hook.cjs; terraform not seen)';
}

/** Runs the command once; fails with its output when it exits non-zero. */
export function measureProcess(cmd: Command): Measurement {
  const scratch = mkdtempSync(join(tmpdir(), 'eks-platform-measure-'));
  const rssFile = join(scratch, 'rss');
  try {
    const gnuTime = existsSync(GNU_TIME);
    const env: Record<string, string | undefined> = { ...process.env, ...cmd.env };
    if (!gnuTime) {
      const hook = resolve(__dirname, 'peak-rss-hook.cjs');
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${hook}`.trim();
      env.BENCH_PEAK_RSS_FILE = rssFile;
    }
    const [command, args] = gnuTime
      ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, cmd.command, ...cmd.args]]
      : [cmd.command, [...cmd.args]];
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: cmd.cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(
        `\`${[cmd.command, ...cmd.args].join(' ')}\` exited with ${result.status ?? result.signal}:\n` +
          tail(`${result.stdout}${result.stderr}`, 40),
      );
    }
    // `<max RSS KiB> <user s> <system s>`: one line from GNU time, one per Node process from the
    // hook. The largest process sets the peak; CPU adds up.
    const figures = existsSync(rssFile)
      ? readFileSync(rssFile, 'utf8')
          .split('\n')
          .map((line) => line.trim().split(/\s+/).map(Number))
          .filter((f) => f.length === 3 && f.every((n) => !Number.isNaN(n)))
      : [];
    const peakKiB = figures.length > 0 ? Math.max(...figures.map((f) => f[0] ?? 0)) : Number.NaN;
    const cpuMs =
      figures.length > 0
        ? figures.reduce((sum, f) => sum + ((f[1] ?? 0) + (f[2] ?? 0)) * 1000, 0)
        : Number.NaN;
    return { wallMs, cpuMs, peakMiB: peakKiB / 1024, stdout: result.stdout };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface Summary {
  readonly runs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakMiB: number;
  readonly minWallMs: number;
  readonly maxWallMs: number;
  /** Output of the last run, to check what was rendered. */
  readonly stdout: string;
}

/** One unmeasured warm-up run (fills the tsx cache and the OS page cache), then `runs` measured. */
export function measureRuns(runs: number, once: () => Measurement): Summary {
  once();
  return summarize(Array.from({ length: runs }, once));
}

export function summarize(measured: readonly Measurement[]): Summary {
  const walls = measured.map((m) => m.wallMs);
  return {
    runs: measured.length,
    wallMs: median(walls),
    cpuMs: median(measured.map((m) => m.cpuMs)),
    peakMiB: median(measured.map((m) => m.peakMiB)),
    minWallMs: Math.min(...walls),
    maxWallMs: Math.max(...walls),
    stdout: measured.at(-1)?.stdout ?? '',
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
