import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { Construct } from 'constructs';
import { addonRuns } from '../../platform/addons';
import { addonIrsaRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import type { AddonConstructContext, InfraAddon } from '../addon-policies';
import { IrsaRole } from './irsa-role';

export interface AddonIrsaRolesProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /** `<environment>-<color>`. */
  readonly clusterName: string;
  /** ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://`. */
  readonly oidcIssuer: string;
  /** The add-on registry (infra/addon-policies.ts), in catalog order. */
  readonly addons: readonly InfraAddon[];
  /** The aws_eks_cluster's `name` and `version` (tokens), for add-ons built by their own construct. */
  readonly clusterNameRef: string;
  readonly kubernetesVersion: string;
  /** The managed node groups, for add-ons built by their own construct. */
  readonly nodeGroups: AddonConstructContext['nodeGroups'];
}

/**
 * The IRSA role of every add-on running on the cluster (`addonRuns`) whose identity is one, created in `scope` itself with the
 * logical id `irsa-<role>` (so the Terraform names do not depend on this function), keyed by the
 * role part of its name (`<role>` for `<cluster>-<role>`). An add-on built by its own construct
 * (the registry gives `build`) is built under its component's id, and returns its role.
 */
export function addonIrsaRoles(scope: Construct, props: AddonIrsaRolesProps): Record<string, IamRole> {
  const { config, cluster } = props;
  const roles: Record<string, IamRole> = {};
  for (const { definition, policy } of props.addons) {
    if (definition.identity.kind !== 'irsa' || !addonRuns(config, cluster, definition)) continue;
    if (policy === null) {
      throw new Error(
        `add-on ${definition.component}: an IRSA identity needs a policy in the infra registry`,
      );
    }
    if (typeof policy !== 'function') {
      // An add-on built by its own construct (an EKS managed add-on, a key of its own).
      roles[definition.identity.role] = policy.build(scope, definition.component, {
        config,
        cluster,
        clusterName: props.clusterName,
        clusterNameRef: props.clusterNameRef,
        kubernetesVersion: props.kubernetesVersion,
        oidcProviderArn: props.oidcProviderArn,
        oidcIssuer: props.oidcIssuer,
        nodeGroups: props.nodeGroups,
      });
      continue;
    }
    const role = addonIrsaRole(config, cluster, definition);
    roles[definition.identity.role] = new IrsaRole(scope, `irsa-${definition.identity.role}`, {
      role,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      statements: policy({ config, cluster, clusterName: props.clusterName }),
    }).role;
  }
  return roles;
}
