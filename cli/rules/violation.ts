/** A broken rule in the rendered output: which rule, where, and what to do about it. */
export interface Violation {
  /** Stable rule id, e.g. `k8s-schema`. */
  readonly rule: string;
  /** dist/-relative file of the object or stack. */
  readonly file: string;
  readonly message: string;
  /** Set when the object records an exception to the rule: the reason, shown instead of failing. */
  readonly exception?: string;
}

export function formatViolation(v: Violation): string {
  const line = `[${v.rule}] dist/${v.file}: ${v.message}`;
  return v.exception === undefined ? line : `${line} (exception: ${v.exception})`;
}
