/**
 * Rule `kms-key-policy` (issue 14): every KMS key of every stack has an explicit key policy, read
 * from an aws_iam_policy_document data source of its stack (or literal JSON), in which
 * - an unconditioned statement gives the environment's account (`arn:aws:iam::<account>:root`)
 *   `kms:*`: no principal has any right on a key its policy does not give, so without it the key can
 *   become unmanageable, and IAM policies of the account stop working on it
 *   (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
 * - no Allow statement names every principal (`*`) or uses NotPrincipal without a condition;
 * - no Allow statement names an AWS service principal without a condition: a service may otherwise
 *   use the key for any resource, of any account (the confused deputy; for CloudWatch Logs, the
 *   `kms:EncryptionContext:aws:logs:arn` condition ties the key to one log group).
 *
 * In a key policy `Resource: "*"` means "this key": this rule reads principals, where
 * iam-wildcards, which reads identity policies only, reads resources.
 */
import type { RenderedStack } from '../render';
import { type Finding, type Rule, terraformComments } from './rule';
import { blockList, blocksOf, type Json, referencedData } from './terraform-json';

/** A key policy statement, whichever way it was written. */
export interface KeyPolicyStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: readonly string[];
  /** `AWS:<arn>`, `Service:<name>`, `*` for every principal. */
  readonly principals: readonly string[];
  readonly notPrincipal: boolean;
  readonly hasCondition: boolean;
}

export const kmsKeyPolicyRule: Rule<'kms-key-policy'> = {
  id: 'kms-key-policy',
  summary:
    'Every KMS key has an explicit key policy that gives its account kms:* (so the key stays manageable whatever happens to the roles it names) and allows no principal, every principal (`*`, NotPrincipal) or AWS service without a condition: the key policy is the first word on who may use a key, and an unconditioned `*` or service principal lends the key to every account or every caller of that service.',
  check({ rendering, configs }) {
    const findings: Finding[] = [];
    for (const stack of rendering.stacks) {
      const config = configs.find((c) => c.name === stack.environment);
      if (config === undefined) continue;
      for (const [id, key] of blocksOf(stack, 'aws_kms_key')) {
        const report = (message: string) =>
          findings.push({
            file: stack.path,
            message: `aws_kms_key.${id} ${message}`,
            subject: terraformComments(key),
          });
        const statements = keyPolicyStatements(stack, key.policy);
        if (typeof statements === 'string') {
          report(statements);
          continue;
        }
        for (const problem of keyPolicyProblems(statements, config.account)) report(problem);
      }
    }
    return findings;
  },
};

/** What is wrong with a key policy's statements, one message each. */
export function keyPolicyProblems(statements: readonly KeyPolicyStatement[], account: string): string[] {
  const problems: string[] = [];
  const root = `arn:aws:iam::${account}:root`;
  const accountKeepsKey = statements.some(
    (s) =>
      s.effect === 'Allow' &&
      !s.notPrincipal &&
      !s.hasCondition &&
      (s.principals.includes(`AWS:${root}`) || s.principals.includes(`AWS:${account}`)) &&
      s.actions.includes('kms:*'),
  );
  if (!accountKeepsKey) {
    problems.push(
      `has no statement that allows the account (${root}) kms:* without a condition: the key could become unmanageable and IAM policies of the account do not apply to it`,
    );
  }
  for (const s of statements) {
    if (s.effect !== 'Allow' || s.hasCondition) continue;
    const name = s.sid ? `statement ${s.sid}` : 'a statement';
    if (s.notPrincipal) {
      problems.push(`${name} allows every principal but those of NotPrincipal without a condition`);
    } else if (s.principals.some((p) => p === '*' || p === 'AWS:*')) {
      problems.push(`${name} allows every principal (*) without a condition`);
    }
    const services = s.principals
      .filter((p) => p.startsWith('Service:'))
      .map((p) => p.slice('Service:'.length));
    if (services.length > 0) {
      problems.push(
        `${name} allows the service(s) ${services.join(', ')} without a condition: they could use the key for any resource of any account; add a condition (an encryption context, aws:SourceAccount, aws:SourceArn)`,
      );
    }
  }
  return problems;
}

/** The statements of a key's `policy`, or why they cannot be read. */
export function keyPolicyStatements(stack: RenderedStack, policy: unknown): KeyPolicyStatement[] | string {
  if (policy === undefined) {
    return 'has no key policy: KMS applies its default one, which names only the account; write an explicit policy with an aws_iam_policy_document';
  }
  if (typeof policy !== 'string') return 'has a policy that is not a string';
  if (policy.startsWith('${')) {
    const document = referencedData(stack, policy, 'aws_iam_policy_document');
    if (document === undefined) {
      return 'has a policy the rule cannot read: refer to an aws_iam_policy_document data source of the stack';
    }
    if (document.source_policy_documents !== undefined || document.override_policy_documents !== undefined) {
      return 'has a policy document that merges other documents, which the rule does not read: write the statements in one document';
    }
    return blockList(document.statement).map(documentStatement);
  }
  try {
    const parsed = JSON.parse(policy) as { Statement?: unknown };
    const raw = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return raw.map((s) => jsonStatement((s ?? {}) as Json));
  } catch {
    return 'has a policy that is not valid JSON';
  }
}

function documentStatement(s: Json): KeyPolicyStatement {
  const principals = (blocks: unknown) =>
    blockList(blocks).flatMap((p) =>
      strings(p.identifiers).map((id) => (p.type === '*' ? '*' : `${p.type}:${id}`)),
    );
  return {
    ...(typeof s.sid === 'string' ? { sid: s.sid } : {}),
    effect: typeof s.effect === 'string' ? s.effect : 'Allow',
    actions: strings(s.actions),
    principals: principals(s.principals),
    notPrincipal: blockList(s.not_principals).length > 0,
    hasCondition: blockList(s.condition).length > 0,
  };
}

function jsonStatement(s: Json): KeyPolicyStatement {
  const principal = s.Principal;
  const principals =
    principal === '*'
      ? ['*']
      : Object.entries((principal ?? {}) as Json).flatMap(([type, ids]) =>
          strings(ids).map((id) => `${type}:${id}`),
        );
  return {
    ...(typeof s.Sid === 'string' && s.Sid !== '' ? { sid: s.Sid } : {}),
    effect: typeof s.Effect === 'string' ? s.Effect : 'Allow',
    actions: strings(s.Action),
    principals,
    notPrincipal: s.NotPrincipal !== undefined,
    hasCondition: Object.keys((s.Condition ?? {}) as Json).length > 0,
  };
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}
