/** Types of compare-files.cjs (plain CommonJS: it also runs on a worker thread). */
export interface FileComparison {
  /** Rendered paths the folder does not hold, in the order given. */
  readonly added: string[];
  /** Rendered paths whose file differs by at least one byte, in the order given. */
  readonly changed: string[];
  readonly unchanged: number;
}

export function compareFiles(
  dir: string,
  paths: readonly string[],
  contents: readonly string[],
): FileComparison;

export function startComparison(
  dir: string,
  paths: readonly string[],
  contents: readonly string[],
  options?: { readonly workerFile?: string; readonly startMs?: number; readonly answerMs?: number },
): { result(): FileComparison };
