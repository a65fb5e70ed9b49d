import { describe, expect, it, vi } from 'vitest';
import { progressReporter } from '../../cli/progress';
import { FIXTURE_CONFIG } from '../helpers';
import { runCli, snapshotTree, tempDir } from './run-cli';

/** A clock that reads the given times in turn (milliseconds). */
function clock(...times: number[]): () => number {
  return () => {
    const t = times.shift();
    if (t === undefined) throw new Error('clock read too often');
    return t;
  };
}

describe('progress line', () => {
  it('prints nothing during the first 2 seconds', () => {
    const lines: string[] = [];
    const report = progressReporter('synth', { now: clock(0, 500, 1999, 2000), print: (l) => lines.push(l) });
    report('a');
    report('b');
    report('c');
    expect(lines).toEqual([]);
  });

  it('prints the elapsed time and the step once the render runs longer than 2 seconds, at most once a second', () => {
    const lines: string[] = [];
    const report = progressReporter('synth', {
      now: clock(0, 2100, 2600, 3200, 9000),
      print: (l) => lines.push(l),
    });
    report('rendered 1 of 4 units (prod-blue manifests)');
    report('rendered 2 of 4 units (prod-green manifests)');
    report('rendered 3 of 4 units (dev-blue manifests)');
    report('rendered 4 of 4 units (Terraform stacks)');
    expect(lines).toEqual([
      'synth: 2.1 s: rendered 1 of 4 units (prod-blue manifests)',
      'synth: 3.2 s: rendered 3 of 4 units (dev-blue manifests)',
      'synth: 9.0 s: rendered 4 of 4 units (Terraform stacks)',
    ]);
  });

  it('reports a slow render on stderr only, leaving stdout and dist/ as a fast render does', () => {
    const args = (dist: string) => [
      'synth',
      '--config',
      FIXTURE_CONFIG,
      '--dist',
      dist,
      '--tf-out',
      tempDir('tfout'),
    ];
    const fastDist = tempDir('dist');
    const fast = runCli(args(fastDist));
    // Every read of the clock is 1.5 s later than the one before: the render looks slow.
    let now = 0;
    const slowClock = vi.spyOn(performance, 'now').mockImplementation(() => (now += 1500));
    const progress: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      progress.push(String(chunk));
      return true;
    });
    const slowDist = tempDir('dist');
    let slow: ReturnType<typeof runCli>;
    try {
      slow = runCli(args(slowDist));
    } finally {
      slowClock.mockRestore();
      stderr.mockRestore();
    }
    expect(slow.code).toBe(0);
    expect(slow.stderr).toBe('');
    expect(progress.join('')).toMatch(
      /^synth: \d+\.\d s: rendered [234] of 5 units \((prod-(blue|green)|stage-green) manifests\)$/m,
    );
    expect(progress.join('')).toMatch(/^synth: \d+\.\d s: rendered 5 of 5 units \(Terraform stacks\)$/m);
    expect(slow.stdout).toBe(fast.stdout);
    expect(snapshotTree(slowDist)).toEqual(snapshotTree(fastDist));
  });
});
