import { describe, expect, it } from 'vitest';
import { runCli, runProcess, snapshotTree, tempDir } from './run-cli';

describe('--help', () => {
  it.each([
    ['synth', 'usage: npm run synth -- [--config <dir|file>] [--env <name>]...', '--tf-out <dir>'],
    [
      'check',
      'usage: npm run check -- [--config <dir|file>] [--env <name>]...',
      'Exit codes: 0 everything passes',
    ],
    ['diff', 'usage: npm run diff -- --base <git-ref>', '--format <format>'],
    ['schema', 'usage: npm run schema', 'config/schema.json'],
  ])('npm run %s -- --help prints the usage of the command and exits 0', (command, usage, detail) => {
    for (const flag of ['--help', '-h']) {
      const result = runCli([command, flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith(usage)).toBe(true);
      expect(result.stdout).toContain(detail);
      expect(result.stderr).toBe('');
    }
  });

  it('--help after other options still only prints the help, rendering and writing nothing', () => {
    const dist = tempDir('dist');
    const result = runCli(['synth', '--env', 'nowhere', '--dist', dist, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: npm run synth');
    expect(snapshotTree(dist)).toEqual({});
  });

  it.each([['--help'], ['-h'], ['help']])('%s without a command lists the commands and exits 0', (flag) => {
    const result = runCli([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: npm run <synth|check>');
    expect(result.stdout).toMatch(/synth +render config\//);
    expect(result.stdout).toContain('EKS_PLATFORM_DEBUG');
  });

  it('rejects a missing command with the usage, exit 2', () => {
    const result = runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing command\nusage: npm run <synth|check>');
  });

  it('exits 0 from a real process (npm run synth -- --help)', () => {
    const result = runProcess(['synth', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: npm run synth');
  });
});
