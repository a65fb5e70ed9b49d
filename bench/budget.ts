/**
 * The performance budget of DESIGN §9, checked against the benchmark's figures. Printed, never
 * asserted: timings belong to the machine, not to the unit tests.
 */
import { marginalMsPerCluster, type Row } from './results-table';

export const BUDGET = {
  exampleWallMs: 1500,
  examplePeakMiB: 300,
  minSpeedUp: 5,
  fiftyClustersWallMs: 10_000,
  /** DESIGN §10 and issue 12: an object-heavy platform (thousands of apps) renders and checks in 8 s. */
  appsWallMs: 8000,
  /** Linear: no interval's marginal cost per cluster above this multiple of the smallest. */
  maxMarginalSpread: 1.5,
} as const;

function verdict(ok: boolean): string {
  return ok ? 'ok' : 'OVER BUDGET';
}

export function budgetVerdicts(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  const example = rows.find((r) => r.label.startsWith('example'));
  if (example) {
    const { wallMs, peakMiB } = example.render;
    lines.push(
      `example under ${BUDGET.exampleWallMs / 1000} s: ${(wallMs / 1000).toFixed(2)} s, ${verdict(wallMs < BUDGET.exampleWallMs)}`,
      `example under ${BUDGET.examplePeakMiB} MiB: ${peakMiB.toFixed(0)} MiB, ${verdict(peakMiB < BUDGET.examplePeakMiB)}`,
    );
    if (example.cli) {
      const speedUp = example.cli.wallMs / wallMs;
      lines.push(
        `example at least ${BUDGET.minSpeedUp}x faster than the CLIs: ${speedUp.toFixed(1)}x, ${verdict(speedUp >= BUDGET.minSpeedUp)}`,
      );
    }
  }
  const fifty = rows.find((r) => !r.label.startsWith('example') && r.clusters === 50);
  if (fifty) {
    const { wallMs } = fifty.render;
    lines.push(
      `50 clusters under ${BUDGET.fiftyClustersWallMs / 1000} s: ${(wallMs / 1000).toFixed(2)} s, ${verdict(wallMs < BUDGET.fiftyClustersWallMs)}`,
    );
  }
  for (const row of rows.filter((r) => r.apps !== undefined)) {
    const measured = [['render', row.render] as const, ...(row.check ? [['check', row.check] as const] : [])];
    for (const [what, summary] of measured) {
      // CPU time is printed beside the wall time: on a shared machine it is the steadier figure.
      lines.push(
        `${row.label} (${row.objects ?? '?'} objects): ${what} under ${BUDGET.appsWallMs / 1000} s: ` +
          `${(summary.wallMs / 1000).toFixed(2)} s (CPU ${(summary.cpuMs / 1000).toFixed(2)} s), ` +
          verdict(summary.wallMs < BUDGET.appsWallMs),
      );
    }
  }
  const marginal = [...marginalMsPerCluster(rows).values()];
  if (marginal.length >= 2) {
    const smallest = Math.min(...marginal);
    // A zero or negative marginal cost is noise (the machine was busier for the smaller platform).
    const spread = smallest > 0 ? Math.max(...marginal) / smallest : Number.POSITIVE_INFINITY;
    lines.push(
      `linear in clusters (marginal cost per cluster ${marginal.map((m) => m.toFixed(0)).join(' -> ')} ms, ` +
        `spread ${spread.toFixed(2)}, at most ${BUDGET.maxMarginalSpread}): ${verdict(spread <= BUDGET.maxMarginalSpread)}`,
    );
  }
  return lines;
}
