/** Small readers for synthesized Terraform JSON, shared by the infra tests. */
import type { RenderedStack } from '../../cli/render';

export type Block = Record<string, any>;

/** The data sources of one type in a stack, by logical id. */
export function dataOf(stack: RenderedStack, type: string): Record<string, Block> {
  const data = (stack.json.data ?? {}) as Record<string, Record<string, Block>>;
  return data[type] ?? {};
}

/** The one block of that logical id; fails the test when it is missing. */
export function one(blocks: Record<string, Block>, id: string): Block {
  const block = blocks[id];
  if (block === undefined) throw new Error(`no ${id}; have: ${Object.keys(blocks).join(', ')}`);
  return block;
}

/** A Terraform reference as cdktf writes it. */
export const ref = (address: string) => `\${${address}}`;

/** A block without cdktf's "//" metadata (construct paths), for comparisons across renders. */
export function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== '//')
        .map(([key, v]) => [key, withoutMetadata(v)]),
    );
  }
  return value;
}

/** The policy document data source a `${data.aws_iam_policy_document.<id>.json}` value points at. */
export function documentOf(stack: RenderedStack, policy: unknown): Block {
  const match = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(policy));
  if (!match?.[1]) throw new Error(`not a policy document reference: ${String(policy)}`);
  return one(dataOf(stack, 'aws_iam_policy_document'), match[1]);
}

/**
 * Follows a cdktf cross-stack reference (`${data.terraform_remote_state.<input>.outputs.<output>}`)
 * to the value of that output in the producing stack.
 */
export function crossStackValue(consumer: RenderedStack, producer: RenderedStack, value: string): unknown {
  const match = /^\$\{data\.terraform_remote_state\.([^.]+)\.outputs\.([^}]+)\}$/.exec(value);
  if (!match?.[1] || !match[2]) throw new Error(`not a cross-stack reference: ${value}`);
  one(dataOf(consumer, 'terraform_remote_state'), match[1]);
  const outputs = (producer.json.output ?? {}) as Record<string, Block>;
  return one(outputs, match[2]).value;
}

/** The OIDC issuer host as a cluster stack writes it in its IRSA trust conditions. */
export const OIDC_ISSUER = `\${replace(aws_eks_cluster.cluster.identity[0].oidc[0].issuer, "https://", "")}`;

/**
 * The one statement an IRSA role's trust policy must hold: web identity from the cluster's OIDC
 * provider, for exactly `subject` (`system:serviceaccount:<namespace>:<name>`) and the STS audience.
 */
export function webIdentityTrustStatement(subject: string): Block {
  return {
    sid: 'ServiceAccountWebIdentity',
    effect: 'Allow',
    actions: ['sts:AssumeRoleWithWebIdentity'],
    principals: [
      { type: 'Federated', identifiers: [ref('aws_iam_openid_connect_provider.oidc-provider.arn')] },
    ],
    condition: [
      { test: 'StringEquals', variable: `${OIDC_ISSUER}:sub`, values: [subject] },
      { test: 'StringEquals', variable: `${OIDC_ISSUER}:aud`, values: ['sts.amazonaws.com'] },
    ],
  };
}
