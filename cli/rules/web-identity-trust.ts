/**
 * Reading an IAM role's trust policy for IRSA: whether it lets a web identity assume the role, and
 * which `sub` (service account) and `aud` values it accepts with StringEquals. Shared by the two
 * directions of the identity cross-check: `irsa` (an annotated ServiceAccount's role trusts it) and
 * `irsa-role-users` (a web-identity role is used by the service account it trusts).
 * https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
 */
import type { RenderedStack } from '../render';
import { blockList, type Json, referencedData } from './terraform-json';

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

export interface WebIdentityTrust {
  /** Whether an Allow statement of the trust policy has sts:AssumeRoleWithWebIdentity. */
  readonly webIdentity: boolean;
  /** The `…:sub` values of StringEquals conditions of those statements. */
  readonly sub: readonly string[];
  /** The `…:aud` values of StringEquals conditions of those statements. */
  readonly aud: readonly string[];
}

interface TrustStatement {
  readonly effect: string;
  readonly actions: readonly string[];
  readonly stringEquals: readonly { readonly variable: string; readonly values: readonly string[] }[];
}

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];

/**
 * The statements of a role's `assume_role_policy`: an aws_iam_policy_document data source of the
 * stack it references, or literal policy JSON. A string that is neither: undefined.
 */
function trustStatements(stack: RenderedStack, role: Json): TrustStatement[] | undefined {
  const policy: unknown = role.assume_role_policy;
  const document = referencedData(stack, policy, 'aws_iam_policy_document');
  if (document !== undefined) {
    return blockList(document.statement).map((s) => ({
      effect: String(s.effect ?? 'Allow'),
      actions: asList(s.actions),
      stringEquals: blockList(s.condition)
        .filter((c) => c.test === 'StringEquals')
        .map((c) => ({ variable: String(c.variable), values: asList(c.values) })),
    }));
  }
  if (typeof policy !== 'string' || policy.startsWith('${')) return undefined;
  let parsed: Json;
  try {
    parsed = JSON.parse(policy) as Json;
  } catch {
    return undefined;
  }
  return blockList(parsed.Statement).map((s) => ({
    effect: String(s.Effect ?? 'Allow'),
    actions: asList(s.Action),
    stringEquals: Object.entries((s.Condition?.StringEquals ?? {}) as Record<string, unknown>).map(
      ([variable, values]) => ({ variable, values: asList(values) }),
    ),
  }));
}

/** A role's web-identity trust, or why its trust policy cannot be read. */
export function webIdentityTrust(stack: RenderedStack, role: Json): WebIdentityTrust | string {
  const statements = trustStatements(stack, role);
  if (statements === undefined) {
    return 'has a trust policy that is neither an aws_iam_policy_document of its stack nor policy JSON';
  }
  const sub: string[] = [];
  const aud: string[] = [];
  let webIdentity = false;
  for (const statement of statements) {
    if (statement.effect !== 'Allow' || !statement.actions.includes(WEB_IDENTITY_ACTION)) continue;
    webIdentity = true;
    for (const { variable, values } of statement.stringEquals) {
      if (variable.endsWith(':sub')) sub.push(...values);
      if (variable.endsWith(':aud')) aud.push(...values);
    }
  }
  return { webIdentity, sub, aud };
}

/** The namespace and name of a `system:serviceaccount:<namespace>:<name>` subject, or undefined. */
export function serviceAccountOfSubject(
  subject: string,
): { readonly namespace: string; readonly name: string } | undefined {
  const match = /^system:serviceaccount:([a-z0-9-]+):([a-z0-9.-]+)$/.exec(subject);
  return match ? { namespace: match[1] as string, name: match[2] as string } : undefined;
}
