/**
 * The benchmark's one table, in Markdown so it can be pasted into the README as it is printed.
 */
import type { Summary } from './measure-process';

export interface Row {
  readonly label: string;
  readonly environments: number;
  readonly clusters: number;
  /** Apps of an object-heavy platform (`apps<N>` sizes); undefined for the others. */
  readonly apps?: number | undefined;
  /** What the render produced, from its summary line (undefined when it printed none). */
  readonly stacks: number | undefined;
  readonly objects: number | undefined;
  readonly render: Summary;
  /** `npm run check` on the rendered dist/, when measured. */
  readonly check?: Summary | undefined;
  /** `cdktf synth` + `cdk8s synth` on the same config, when measured. */
  readonly cli: Summary | undefined;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const mib = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(0));

/**
 * Marginal cost of a cluster: the wall-time difference with the previous generated platform (by
 * cluster count) divided by the clusters added. Equal figures down the column mean linear cost.
 * The object-heavy platforms are left out: their cost is in their apps, not their clusters.
 */
export function marginalMsPerCluster(rows: readonly Row[]): Map<Row, number> {
  const generated = rows
    .filter((r) => !r.label.startsWith('example') && r.apps === undefined)
    .sort((a, b) => a.clusters - b.clusters);
  const marginal = new Map<Row, number>();
  generated.forEach((row, i) => {
    const previous = generated[i - 1];
    if (previous && row.clusters > previous.clusters) {
      marginal.set(row, (row.render.wallMs - previous.render.wallMs) / (row.clusters - previous.clusters));
    }
  });
  return marginal;
}

export function formatTable(rows: readonly Row[]): string {
  const marginal = marginalMsPerCluster(rows);
  const header = [
    'platform',
    'envs',
    'clusters',
    'stacks',
    'objects',
    'render s (median)',
    'min-max s',
    'CPU s',
    'peak MiB',
    'ms/cluster',
    'marginal ms/cluster',
    'check s (median)',
    'check min-max s',
    'check CPU s',
    'check peak MiB',
    'CLIs s (median)',
    'CLIs CPU s',
    'CLIs peak MiB',
    'speed-up',
  ];
  const lines = rows.map((row) => {
    const m = marginal.get(row);
    return [
      row.label,
      String(row.environments),
      String(row.clusters),
      row.stacks === undefined ? '?' : String(row.stacks),
      row.objects === undefined ? '?' : String(row.objects),
      seconds(row.render.wallMs),
      `${seconds(row.render.minWallMs)}-${seconds(row.render.maxWallMs)}`,
      seconds(row.render.cpuMs),
      mib(row.render.peakMiB),
      (row.render.wallMs / row.clusters).toFixed(0),
      m === undefined ? '' : m.toFixed(0),
      row.check ? `${seconds(row.check.wallMs)} (${row.check.runs} runs)` : '',
      row.check ? `${seconds(row.check.minWallMs)}-${seconds(row.check.maxWallMs)}` : '',
      row.check ? seconds(row.check.cpuMs) : '',
      row.check ? mib(row.check.peakMiB) : '',
      row.cli ? `${seconds(row.cli.wallMs)} (${row.cli.runs} runs)` : '',
      row.cli ? seconds(row.cli.cpuMs) : '',
      row.cli ? mib(row.cli.peakMiB) : '',
      row.cli ? `${(row.cli.wallMs / row.render.wallMs).toFixed(1)}x` : '',
    ];
  });
  const table = [header, header.map(() => '---'), ...lines];
  return table.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
