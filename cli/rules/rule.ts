/**
 * The contract of a check rule (DESIGN §8): an id, a short summary (docs/checks.md is generated
 * from it) and a check that reports findings. Exceptions are applied once, by the runner
 * (run-rules.ts), for every rule: a finding whose subject records
 * `policy.eks-platform.io/exception-<id>` with a reason is printed as an exception instead of
 * failing. A new rule: `export const xRule: Rule<'x'> = {…}` in its own file, then a line in
 * all-rules.ts and a case in test/cli/rule-exceptions.test.ts.
 */
import { POLICY_EXCEPTION_PREFIX } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import type { Rendering } from '../render';

/** What every rule reads: the render and the configs it came from. */
export interface RuleInput {
  readonly rendering: Rendering;
  readonly configs: readonly PlatformConfig[];
}

/** Where a finding's exceptions are read from: annotation-style keys and their reasons. */
export type ExceptionSource = Readonly<Record<string, string>>;

/** A broken rule, as a check reports it, before exceptions are applied. */
export interface Finding {
  /** dist/-relative file of the object or stack. */
  readonly file: string;
  readonly message: string;
  /**
   * The annotations (Kubernetes objects: the object's and its pod template's) or the Terraform
   * comment entries of what the finding is about. Omitted when nothing can carry an exception.
   */
  readonly subject?: ExceptionSource;
}

/**
 * `Id` is the rule's literal id (`Rule<'irsa'>`), so that the list in all-rules.ts yields the union
 * of every id and a table keyed by it must name every rule.
 */
export interface Rule<Id extends string = string> {
  /** Stable id, kebab-case: the `[id]` of check's output and the suffix of the exception key. */
  readonly id: Id;
  /** One or two sentences for a reviewer: what holds for every rendered output, and why. */
  readonly summary: string;
  /**
   * Set when some findings cannot carry an exception (they have no subject): which, and why.
   * docs/checks.md prints it under the summary.
   */
  readonly withoutSubject?: string;
  readonly check: (input: RuleInput) => readonly Finding[];
}

/** The exception key of a rule on an object: `policy.eks-platform.io/exception-<rule id>`. */
export function exceptionKey(ruleId: string): string {
  return `${POLICY_EXCEPTION_PREFIX}${ruleId}`;
}

/**
 * The annotations of a rendered Kubernetes object and of its pod template, if it has one, merged
 * (the template's win): an exception may be written on either.
 */
export function objectAnnotations(object: Readonly<Record<string, unknown>>): ExceptionSource {
  const annotationsOf = (o: unknown): Record<string, string> => {
    const metadata = (o as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata;
    return metadata?.annotations ?? {};
  };
  const spec = object.spec as
    | { template?: unknown; jobTemplate?: { spec?: { template?: unknown } } }
    | undefined;
  return {
    ...annotationsOf(object),
    ...annotationsOf(spec?.template),
    ...annotationsOf(spec?.jobTemplate?.spec?.template),
  };
}

/**
 * The exception source of a Terraform resource: the string entries of its `"//"` object. Terraform
 * ignores `"//"` properties in any block body
 * (https://developer.hashicorp.com/terraform/language/syntax/json#comment-properties); cdktf
 * writes its construct metadata there and keeps what infra code adds with
 * `recordRuleException` (infra/constructs/rule-exception.ts). A data source has none: cdktf
 * replaces its `"//"` with the metadata alone.
 */
export function terraformComments(block: Readonly<Record<string, unknown>>): ExceptionSource {
  const comments = block['//'];
  if (comments === null || typeof comments !== 'object' || Array.isArray(comments)) return {};
  return Object.fromEntries(
    Object.entries(comments).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
