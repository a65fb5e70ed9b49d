/**
 * The progress line of a long render (DESIGN §10: an object-heavy platform renders for seconds).
 * The render is synchronous, so no timer can fire while it runs: the render reports between units
 * of work (RenderOptions.onProgress) and this reporter prints a line on stderr once the command has
 * run longer than `afterMs`, at most one line per `everyMs`. stderr only: stdout and dist/ stay
 * deterministic.
 */
export interface ProgressOptions {
  /** Milliseconds, monotonic (performance.now by default). */
  readonly now?: () => number;
  readonly afterMs?: number;
  readonly everyMs?: number;
  readonly print?: (line: string) => void;
}

export type Progress = (message: string) => void;

export function progressReporter(command: string, options: ProgressOptions = {}): Progress {
  const now = options.now ?? (() => performance.now());
  const afterMs = options.afterMs ?? 2000;
  const everyMs = options.everyMs ?? 1000;
  // Written to the stream, not through console.error: a progress line is not an error message.
  const print = options.print ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const start = now();
  let last = Number.NEGATIVE_INFINITY;
  return (message) => {
    const t = now();
    if (t - start <= afterMs || t - last < everyMs) return;
    last = t;
    print(`${command}: ${((t - start) / 1000).toFixed(1)} s: ${message}`);
  };
}
