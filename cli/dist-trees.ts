/**
 * dist/ as a map of relative path -> text, from the working tree or from a git revision, for
 * `npm run diff`. Only rendered output counts: YAML objects and dist/infra/*.tf.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Raised when git cannot answer: not a repository, or an unknown revision. Exit code 2. */
export class GitError extends Error {}

function isRendered(path: string): boolean {
  return path.endsWith('.yaml') || (path.startsWith('infra/') && path.endsWith('.tf.json'));
}

export function distOnDisk(distDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const rel = relative(distDir, path).split(sep).join('/');
        if (isRendered(rel)) files.set(rel, readFileSync(path, 'utf8'));
      }
    }
  };
  walk(distDir);
  return files;
}

function git(cwd: string, args: string[], input?: string): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', input, maxBuffer: 1 << 30 });
  if (result.error) throw new GitError(`git ${args[0]}: ${result.error.message}`);
  if (result.status !== 0) throw new GitError(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

export function distAtRevision(distDir: string, revision: string): Map<string, string> {
  const top = git(distDir, ['rev-parse', '--show-toplevel']).trim();
  try {
    git(top, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
  } catch {
    throw new GitError(
      `unknown revision ${JSON.stringify(revision)} in ${top}: give a branch, tag or commit, e.g. --base origin/main`,
    );
  }
  const prefix = relative(top, distDir).split(sep).join('/');
  const listing = git(top, ['ls-tree', '-r', '-z', '--full-tree', revision, '--', prefix]);
  const entries = listing
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => {
      const [meta = '', path = ''] = line.split('\t');
      return { blob: meta.split(' ')[2] ?? '', rel: path.slice(prefix.length + 1) };
    })
    .filter((e) => isRendered(e.rel));
  const files = new Map<string, string>();
  if (entries.length === 0) return files;
  // One `git cat-file --batch` for every blob: a dist of thousands of files costs one process.
  const out = git(top, ['cat-file', '--batch'], `${entries.map((e) => e.blob).join('\n')}\n`);
  let offset = 0;
  const buffer = Buffer.from(out, 'utf8');
  for (const entry of entries) {
    const headerEnd = buffer.indexOf(0x0a, offset);
    const size = Number(buffer.subarray(offset, headerEnd).toString('utf8').split(' ')[2]);
    files.set(entry.rel, buffer.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    offset = headerEnd + 1 + size + 1;
  }
  return files;
}
