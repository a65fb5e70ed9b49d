/** Runs some rules, exceptions applied as `npm run check` applies them, on a part of a render. */
import type { RenderedObject, RenderedStack } from '../../cli/render';
import type { Rule } from '../../cli/rules/rule';
import { runRules } from '../../cli/rules/run-rules';
import type { Violation } from '../../cli/rules/violation';
import type { PlatformConfig } from '../../platform/schema';

export interface RulesInput {
  readonly objects?: readonly RenderedObject[];
  readonly stacks?: readonly RenderedStack[];
  readonly configs?: readonly PlatformConfig[];
}

export function violationsOf(rules: Rule | readonly Rule[], input: RulesInput): Violation[] {
  return runRules(Array.isArray(rules) ? rules : [rules as Rule], {
    rendering: { objects: input.objects ?? [], stacks: input.stacks ?? [], files: [] },
    configs: input.configs ?? [],
  });
}
