/** Types of compare-files.cjs (plain CommonJS: it also runs on a worker thread). */
export interface FileComparison {
  /** Rendered paths the folder does not hold, in the order given. */
  readonly added: string[];
  /** Rendered paths whose file differs by at least one byte, in the order given. */
  readonly changed: string[];
  readonly unchanged: number;
}

/** `files`: path relative to `dir` (with `/` separators) -> rendered content. */
export function compareFiles(dir: string, files: ReadonlyMap<string, string>): FileComparison;

export function startComparison(
  dir: string,
  files: ReadonlyMap<string, string>,
  options?: { readonly workerFile?: string; readonly startMs?: number; readonly answerMs?: number },
): { result(): FileComparison };
