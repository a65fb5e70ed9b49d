/**
 * Rule `allowed-account` (issue 14): every aws provider block of every stack names exactly the
 * account of its environment (`account` in config/<env>.yaml) in `allowed_account_ids`, so a plan
 * run with another account's credentials fails before it reads or changes anything, instead of
 * building the environment in that account while the manifests name roles in the configured one.
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs#allowed_account_ids
 * A stack that declares AWS resources or data sources without any aws provider block is refused
 * too: Terraform would then configure an unguarded default provider.
 */
import { type ExceptionSource, type Finding, type Rule, terraformComments } from './rule';
import { blockList, type Json } from './terraform-json';

export const allowedAccountRule: Rule<'allowed-account'> = {
  id: 'allowed-account',
  summary:
    "Every aws provider of every stack sets allowed_account_ids to exactly the environment's account, so a deploy with another account's credentials fails at plan.",
  withoutSubject:
    'a stack with AWS resources and no aws provider block at all (there is no provider block to write the exception in).',
  check({ rendering, configs }) {
    const findings: Finding[] = [];
    for (const stack of rendering.stacks) {
      const config = configs.find((c) => c.name === stack.environment);
      if (config === undefined) continue;
      const report = (message: string, subject?: ExceptionSource) =>
        findings.push({ file: stack.path, message, ...(subject === undefined ? {} : { subject }) });
      const expected = [config.account];
      const providers = blockList(((stack.json.provider ?? {}) as Json).aws);
      for (const provider of providers) {
        const name =
          typeof provider.alias === 'string' ? `provider aws (alias ${provider.alias})` : 'provider aws';
        const allowed = provider.allowed_account_ids;
        if (JSON.stringify(allowed) !== JSON.stringify(expected)) {
          report(
            `${name}: allowed_account_ids must be ${JSON.stringify(expected)}, the account of environment ${config.name}, got ${allowed === undefined ? 'none' : JSON.stringify(allowed)}`,
            terraformComments(provider),
          );
        }
      }
      if (providers.length === 0 && usesAws(stack.json)) {
        report(
          `declares AWS resources but no aws provider block: Terraform would use an unguarded default provider; give it one with allowed_account_ids ${JSON.stringify(expected)}`,
        );
      }
    }
    return findings;
  },
};

function usesAws(json: Record<string, unknown>): boolean {
  return (['resource', 'data'] as const).some((kind) =>
    Object.keys((json[kind] ?? {}) as Json).some((type) => type.startsWith('aws_')),
  );
}
