/**
 * The one place exceptions are applied (DESIGN §8): each rule's findings become violations, and a
 * finding whose subject records `policy.eks-platform.io/exception-<rule id>` with a reason becomes
 * an exception, printed with its reason instead of failing. A recorded exception without a reason
 * (empty or blank) does not count: the finding fails, and says why.
 */
import { exceptionKey, type Rule, type RuleInput } from './rule';
import type { Violation } from './violation';

export function runRules(rules: readonly Rule[], input: RuleInput): Violation[] {
  const violations: Violation[] = [];
  for (const rule of rules) {
    const key = exceptionKey(rule.id);
    for (const { file, message, subject } of rule.check(input)) {
      const reason: unknown = subject?.[key];
      if (typeof reason === 'string' && reason.trim() !== '') {
        violations.push({ rule: rule.id, file, message, exception: reason });
      } else if (reason !== undefined) {
        violations.push({
          rule: rule.id,
          file,
          message: `${message} (the exception ${key} has no reason, so it does not count: write why the rule does not apply)`,
        });
      } else {
        violations.push({ rule: rule.id, file, message });
      }
    }
  }
  return violations;
}
