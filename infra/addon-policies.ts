/**
 * The IAM policy of each add-on's AWS identity, keyed by the add-on catalog's keys
 * (platform/addons.ts): a policy builder for an add-on with an IRSA role, `null` for one without.
 * The mapped type makes a new IRSA add-on without its policy, or a policy for an add-on that has
 * no role, a compile error naming the key.
 */
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { ADDON_KEYS, ADDONS, type AddonDefinition, type AddonKey } from '../platform/addons';
import { externalSecretsPrefix } from '../platform/external-secrets';
import type { ClusterConfig, PlatformConfig } from '../platform/schema';
import { EbsCsiDriver } from './constructs/ebs-csi-driver';
import { FluentBit } from './constructs/fluent-bit';
import { awsLoadBalancerControllerStatements } from './policies/aws-load-balancer-controller-policy';
import { clusterAutoscalerStatements } from './policies/cluster-autoscaler-policy';
import { externalDnsStatements, hostedZoneIds } from './policies/external-dns-policy';
import { externalSecretsStatements } from './policies/external-secrets-policy';

/** What a policy is built from. */
export interface AddonPolicyContext {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /** `<environment>-<color>`. */
  readonly clusterName: string;
}

/** The statements of an add-on role's inline policy. */
export type AddonPolicy = (context: AddonPolicyContext) => DataAwsIamPolicyDocumentStatement[];

/** What an add-on's own infra construct is built from, in the cluster stack, after the node groups. */
export interface AddonConstructContext extends AddonPolicyContext {
  /** The aws_eks_cluster's `name` (a token, so what uses it waits for the cluster). */
  readonly clusterNameRef: string;
  /** The aws_eks_cluster's `version` (a token): a managed add-on's version follows the control plane. */
  readonly kubernetesVersion: string;
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://`. */
  readonly oidcIssuer: string;
  /** The managed node groups: an add-on whose pods must run before it is ACTIVE waits for them. */
  readonly nodeGroups: readonly ITerraformDependable[];
}

/**
 * An add-on whose AWS side is more than an IRSA role with a policy (an EKS managed add-on, a key of
 * its own): its construct builds it all, in `scope` under `id` (`irsa-<role>`'s add-on component),
 * and returns its IRSA role.
 */
export interface AddonConstruct {
  readonly build: (scope: Construct, id: string, context: AddonConstructContext) => IamRole;
}

type AddonPolicies = {
  readonly [K in AddonKey]: (typeof ADDONS)[K]['identity'] extends { kind: 'irsa' }
    ? AddonPolicy | AddonConstruct
    : null;
};

export const ADDON_POLICIES = {
  rbac: null,
  clusterAutoscaler: ({ clusterName }) => clusterAutoscalerStatements(clusterName),
  externalDns: ({ config }) => externalDnsStatements(hostedZoneIds(config)),
  metricsServer: null,
  ebsCsiDriver: {
    build: (scope, id, context) =>
      new EbsCsiDriver(scope, id, {
        config: context.config,
        cluster: context.cluster,
        clusterName: context.clusterNameRef,
        kubernetesVersion: context.kubernetesVersion,
        oidcProviderArn: context.oidcProviderArn,
        oidcIssuer: context.oidcIssuer,
        dependsOn: context.nodeGroups,
      }).role,
  },
  nvidiaDevicePlugin: null,
  overprovisioning: null,
  nodeLocalDns: null,
  descheduler: null,
  fluentBit: {
    build: (scope, id, context) =>
      new FluentBit(scope, id, {
        config: context.config,
        cluster: context.cluster,
        oidcProviderArn: context.oidcProviderArn,
        oidcIssuer: context.oidcIssuer,
      }).role,
  },
  externalSecrets: ({ config }) =>
    externalSecretsStatements({
      region: config.region,
      account: config.account,
      prefix: externalSecretsPrefix(config),
    }),
  loadBalancerController: ({ config, clusterName }) =>
    awsLoadBalancerControllerStatements({ region: config.region, account: config.account, clusterName }),
} satisfies AddonPolicies;

/** An add-on as the infra orchestrator reads it: its definition and the policy of its identity. */
export interface InfraAddon {
  readonly definition: AddonDefinition;
  /** Required when the definition's identity is an IRSA role. */
  readonly policy: AddonPolicy | AddonConstruct | null;
}

/** The catalog's add-ons with their policies, in catalog order. */
export const INFRA_ADDONS: readonly InfraAddon[] = ADDON_KEYS.map((key) => ({
  definition: ADDONS[key],
  policy: ADDON_POLICIES[key],
}));
