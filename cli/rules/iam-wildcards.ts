/**
 * Rule `iam-wildcards`: no identity policy in a synthesized stack allows a mutating action on
 * every resource (`"*"`, or NotResource) without a condition. Read actions (Describe, Get, List,
 * …) often support no resource scoping and may stay on `*`; anything else must name its
 * resources or carry a condition (a resource tag, …).
 *
 * Identity policies are the `policy` of aws_iam_role_policy, aws_iam_policy, aws_iam_user_policy
 * and aws_iam_group_policy, and aws_iam_role's inline_policy. Trust policies name no resources and
 * resource policies (KMS key policies, where `*` means "this key") are not identity policies. A
 * policy is read from the aws_iam_policy_document data source it references, including the
 * documents that one merges, or from literal JSON; a policy the rule cannot read is a violation
 * too, so nothing passes unchecked.
 */
import { type ExceptionSource, type Rule, terraformComments } from './rule';

/**
 * Action verbs of AWS's Read and List access levels. The verb prefix is how AWS names them
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html);
 * an action is read-only when its name, up to its first wildcard, starts with one of these.
 */
export const READ_ACTION_VERBS = [
  'Describe',
  'Get',
  'List',
  'BatchGet',
  'BatchCheck',
  'Head',
  'Lookup',
  'Search',
];

const IDENTITY_POLICY_TYPES = [
  'aws_iam_role_policy',
  'aws_iam_policy',
  'aws_iam_user_policy',
  'aws_iam_group_policy',
];

/** A policy statement, whichever way it was written (policy document data source or JSON). */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly hasCondition: boolean;
}

/** Whether an action (possibly with `*` or `?` wildcards) can only read. */
export function isReadOnlyAction(action: string): boolean {
  const colon = action.indexOf(':');
  if (colon < 0) return false; // `*` or malformed: everything
  const name = action.slice(colon + 1);
  const literal = name.split(/[*?]/)[0] ?? '';
  return READ_ACTION_VERBS.some((verb) => literal.startsWith(verb));
}

/** The mutating actions a statement allows on every resource without a condition; empty when none. */
export function unconditionedWildcardActions(statement: PolicyStatement): string[] {
  if (statement.effect !== 'Allow' || statement.hasCondition) return [];
  const everyResource = statement.resources.includes('*') || statement.notResources.length > 0;
  if (!everyResource) return [];
  const mutating = statement.actions.filter((action) => !isReadOnlyAction(action));
  // NotAction allows every action but the listed ones: mutating ones included.
  const notActions = statement.notActions.map((action) => `every action except ${action}`);
  return [...mutating, ...notActions];
}

export const iamWildcardsRule: Rule<'iam-wildcards'> = {
  id: 'iam-wildcards',
  summary:
    'No identity policy allows a mutating action on every resource (`*` or NotResource) without a condition, and every identity policy can be read (a policy document of its stack or literal JSON): read-only actions may stay on `*`, anything else names its resources or carries a condition, so a leaked credential cannot change everything.',
  check: ({ rendering }) =>
    rendering.stacks.flatMap((stack) =>
      identityPolicyFindings(stack.json).map(({ message, subject }) => ({
        file: stack.path,
        message,
        subject,
      })),
    ),
};

/** The problems of a stack's identity policies, one message each. */
export function identityPolicyProblems(json: Record<string, unknown>): string[] {
  return identityPolicyFindings(json).map((f) => f.message);
}

/** The problems of a stack's identity policies, each with the exception source of the resource holding it. */
function identityPolicyFindings(
  json: Record<string, unknown>,
): { message: string; subject: ExceptionSource }[] {
  const problems: { message: string; subject: ExceptionSource }[] = [];
  for (const { owner, block, policy } of identityPolicies(json)) {
    const subject = terraformComments(block);
    const report = (message: string) => problems.push({ message, subject });
    const statements = policyStatements(json, policy);
    if (typeof statements === 'string') {
      report(`${owner}: ${statements}`);
      continue;
    }
    for (const statement of statements) {
      const actions = unconditionedWildcardActions(statement);
      if (actions.length === 0) continue;
      const sid = statement.sid ? ` statement ${statement.sid}` : ' a statement';
      report(
        `${owner}:${sid} allows the mutating action(s) ${actions.join(', ')} on every resource without a condition; name the resources or add a condition`,
      );
    }
  }
  return problems;
}

interface IdentityPolicy {
  /** Where the policy is, e.g. `aws_iam_role_policy.nodes` or `aws_iam_role.x.inline_policy[0]`. */
  readonly owner: string;
  /** The resource that holds it. */
  readonly block: Record<string, unknown>;
  readonly policy: unknown;
}

function identityPolicies(json: Record<string, unknown>): IdentityPolicy[] {
  const resources = asObject(json.resource);
  const found: IdentityPolicy[] = [];
  for (const type of IDENTITY_POLICY_TYPES) {
    for (const [name, body] of Object.entries(asObject(resources[type]))) {
      found.push({ owner: `${type}.${name}`, block: asObject(body), policy: asObject(body).policy });
    }
  }
  for (const [name, body] of Object.entries(asObject(resources.aws_iam_role))) {
    const inline = asObject(body).inline_policy;
    const blocks = Array.isArray(inline) ? inline : inline === undefined ? [] : [inline];
    blocks.forEach((block, i) => {
      found.push({
        owner: `aws_iam_role.${name}.inline_policy[${i}]`,
        block: asObject(body),
        policy: asObject(block).policy,
      });
    });
  }
  return found;
}

const DOCUMENT_REFERENCE = /^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.(json|minified_json)\}$/;

/** The statements of a policy value, or why they cannot be read. */
export function policyStatements(
  json: Record<string, unknown>,
  policy: unknown,
  seen: ReadonlySet<string> = new Set(),
): PolicyStatement[] | string {
  if (typeof policy !== 'string') return 'has no policy string';
  const reference = DOCUMENT_REFERENCE.exec(policy);
  if (reference) {
    const name = reference[1] ?? '';
    const document = asObject(asObject(asObject(json.data).aws_iam_policy_document)[name]);
    if (Object.keys(document).length === 0)
      return `refers to a policy document ${name} the stack does not declare`;
    if (seen.has(name)) return `policy document ${name} includes itself`;
    return documentStatements(json, name, document, new Set([...seen, name]));
  }
  if (policy.includes('${')) {
    return 'has a policy built by an expression the rule cannot read; use an aws_iam_policy_document data source';
  }
  try {
    const parsed = JSON.parse(policy) as { Statement?: unknown };
    const raw = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return raw.map((s) => jsonStatement(asObject(s)));
  } catch {
    return 'has a policy that is not valid JSON';
  }
}

function documentStatements(
  json: Record<string, unknown>,
  name: string,
  document: Record<string, unknown>,
  seen: ReadonlySet<string>,
): PolicyStatement[] | string {
  const statements: PolicyStatement[] = [];
  // Merged documents contribute their statements too.
  for (const key of ['source_policy_documents', 'override_policy_documents']) {
    for (const merged of asArray(document[key])) {
      const more = policyStatements(json, merged, seen);
      if (typeof more === 'string') return `policy document ${name} merges one that ${more}`;
      statements.push(...more);
    }
  }
  for (const raw of asArray(document.statement)) {
    const s = asObject(raw);
    statements.push({
      ...(typeof s.sid === 'string' ? { sid: s.sid } : {}),
      effect: typeof s.effect === 'string' ? s.effect : 'Allow',
      actions: strings(s.actions),
      notActions: strings(s.not_actions),
      resources: strings(s.resources),
      notResources: strings(s.not_resources),
      hasCondition: asArray(s.condition).length > 0,
    });
  }
  return statements;
}

function jsonStatement(s: Record<string, unknown>): PolicyStatement {
  return {
    ...(typeof s.Sid === 'string' && s.Sid !== '' ? { sid: s.Sid } : {}),
    effect: typeof s.Effect === 'string' ? s.Effect : 'Allow',
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    notResources: strings(s.NotResource),
    hasCondition: Object.keys(asObject(s.Condition)).length > 0,
  };
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}
