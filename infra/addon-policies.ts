/**
 * The IAM policy of each add-on's AWS identity, keyed by the add-on catalog's keys
 * (platform/addons.ts): a policy builder for an add-on with an IRSA role, `null` for one without.
 * The mapped type makes a new IRSA add-on without its policy, or a policy for an add-on that has
 * no role, a compile error naming the key.
 */
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { ADDON_KEYS, ADDONS, type AddonDefinition, type AddonKey } from '../platform/addons';
import type { ClusterConfig, PlatformConfig } from '../platform/schema';
import { clusterAutoscalerStatements } from './policies/cluster-autoscaler-policy';
import { externalDnsStatements, hostedZoneIds } from './policies/external-dns-policy';

/** What a policy is built from. */
export interface AddonPolicyContext {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /** `<environment>-<color>`. */
  readonly clusterName: string;
}

/** The statements of an add-on role's inline policy. */
export type AddonPolicy = (context: AddonPolicyContext) => DataAwsIamPolicyDocumentStatement[];

type AddonPolicies = {
  readonly [K in AddonKey]: (typeof ADDONS)[K]['identity'] extends { kind: 'irsa' } ? AddonPolicy : null;
};

export const ADDON_POLICIES = {
  rbac: null,
  clusterAutoscaler: ({ clusterName }) => clusterAutoscalerStatements(clusterName),
  externalDns: ({ config }) => externalDnsStatements(hostedZoneIds(config)),
  metricsServer: null,
  overprovisioning: null,
} satisfies AddonPolicies;

/** An add-on as the infra orchestrator reads it: its definition and the policy of its identity. */
export interface InfraAddon {
  readonly definition: AddonDefinition;
  /** Required when the definition's identity is an IRSA role. */
  readonly policy: AddonPolicy | null;
}

/** The catalog's add-ons with their policies, in catalog order. */
export const INFRA_ADDONS: readonly InfraAddon[] = ADDON_KEYS.map((key) => ({
  definition: ADDONS[key],
  policy: ADDON_POLICIES[key],
}));
