/** Runs the command line in process (fast) or as a real process (exit codes, environment). */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../cli/main';
import { FIXTURE_CONFIG, fixtureText, ROOT } from '../helpers';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Tests render fixtures, never the repository's config/ (DESIGN §9), and never write its dist/:
 * `synth` and `check` default to both, so a test must name them (test/config.test.ts names config/).
 */
function assertNamesConfigAndDist(args: readonly string[]): void {
  const [command, ...options] = args;
  if (command !== 'synth' && command !== 'check') return;
  if (options.includes('--help') || options.includes('-h')) return; // prints the usage, renders nothing
  for (const option of ['--config', '--dist']) {
    if (!options.some((a) => a === option || a.startsWith(`${option}=`))) {
      throw new Error(
        `${command} without ${option} would use the repository's own folder; pass ${option} (FIXTURE_CONFIG, a copy, or a temporary dist)`,
      );
    }
  }
}

export function runCli(args: string[]): CliResult {
  assertNamesConfigAndDist(args);
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = main(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

export const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export function runProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  assertNamesConfigAndDist(args);
  const result = spawnSync(process.execPath, [TSX, join(ROOT, 'cli', 'main.ts'), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `eks-platform-${prefix}-`));
}

/** A temp config folder holding the given files (name -> YAML text). */
export function configDir(files: Record<string, string>): string {
  const dir = tempDir('config-dir');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A copy of the fixture config folder. */
export function copyOfFixtureConfig(): string {
  const dir = tempDir('config-dir');
  cpSync(FIXTURE_CONFIG, dir, { recursive: true });
  return dir;
}

/** Every file below a folder with its bytes, for "nothing changed on disk" assertions. */
export function snapshotTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  if (!existsSync(dir)) return tree;
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else tree[relative(dir, path)] = readFileSync(path, 'base64');
    }
  };
  walk(dir);
  return tree;
}

export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/**
 * A new git repository in a temporary folder, and a function that runs git in it with a fixed
 * identity (passed with -c, so no test writes git config).
 */
export function tempGitRepo(): { readonly repo: string; readonly git: (...args: string[]) => CliResult } {
  const repo = tempDir('repo');
  const identity = ['-c', 'user.email=t@example.com', '-c', 'user.name=t'];
  const git = (...args: string[]): CliResult => {
    const result = spawnSync('git', [...identity, ...args], { cwd: repo, encoding: 'utf8' });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  };
  git('init', '-q', '-b', 'main');
  return { repo, git };
}

/**
 * The dev fixture rendered into the dist/ of a new git repository and committed as `main`: the
 * base of a `diff --base` test. The config is a temporary copy the test may edit.
 */
export function committedDevRender() {
  const { repo, git } = tempGitRepo();
  const dist = join(repo, 'dist');
  const config = configDir({ 'dev.yaml': fixtureText('dev') });
  const synth = runCli(['synth', '--config', config, '--dist', dist, '--tf-out', tempDir('tfout')]);
  if (synth.code !== 0) throw new Error(`synth of the dev fixture failed: ${synth.stderr}`);
  git('add', '-A');
  git('commit', '-qm', 'base');
  return { repo, git, dist, config };
}
