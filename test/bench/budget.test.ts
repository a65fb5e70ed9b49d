import { describe, expect, it } from 'vitest';
import { budgetVerdicts } from '../../bench/budget';
import type { Summary } from '../../bench/measure-process';
import { marginalMsPerCluster, type Row } from '../../bench/results-table';

const summary = (wallMs: number, cpuMs = wallMs): Summary => ({
  runs: 3,
  wallMs,
  cpuMs,
  peakMiB: 200,
  minWallMs: wallMs,
  maxWallMs: wallMs,
  stdout: '',
});

const row = (label: string, clusters: number, render: Summary, extra: Partial<Row> = {}): Row => ({
  label,
  environments: 1,
  clusters,
  stacks: 4,
  objects: 15000,
  render,
  cli: undefined,
  ...extra,
});

describe('the budget of the object-heavy platforms', () => {
  it('judges their render and check against 8 s, with CPU time beside the wall time', () => {
    const apps = row('generated 2,000 apps on 1 cluster(s)', 1, summary(6500, 5200), {
      apps: 2000,
      check: summary(8400, 6100),
    });
    expect(budgetVerdicts([apps])).toEqual([
      'generated 2,000 apps on 1 cluster(s) (15000 objects): render under 8 s: 6.50 s (CPU 5.20 s), ok',
      'generated 2,000 apps on 1 cluster(s) (15000 objects): check under 8 s: 8.40 s (CPU 6.10 s), OVER BUDGET',
    ]);
  });

  it('leaves them out of the cost per cluster', () => {
    const one = row('generated 1', 1, summary(1000));
    const ten = row('generated 10', 10, summary(2800));
    const apps = row('generated 1,000 apps on 2 cluster(s)', 2, summary(6000), { apps: 1000 });
    const marginal = marginalMsPerCluster([one, apps, ten]);
    expect([...marginal.entries()].map(([r, ms]) => [r.label, ms])).toEqual([['generated 10', 200]]);
  });
});
