import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { Construct } from 'constructs';
import { chartClusters, chartIrsaRole, terraformName } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { IrsaRole } from './irsa-role';

export interface ChartIrsaRolesProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /** ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://`. */
  readonly oidcIssuer: string;
}

/**
 * The IRSA role of every `charts:` entry with `iam` that this cluster installs, `<cluster>-chart-<name>`,
 * trusted for exactly `system:serviceaccount:<namespace>:<iam.serviceAccount>`, with the entry's
 * statements as its inline policy and its managed policies attached. Created in `scope` with the
 * logical id `irsa-chart-<name>`, so the Terraform names do not depend on this function.
 * The chart's values receive the role's ARN where they write `${iam.roleArn}` (manifests/charts/argocd-chart.ts).
 */
export function chartIrsaRoles(scope: Construct, props: ChartIrsaRolesProps): void {
  const { config, cluster } = props;
  for (const chart of config.charts) {
    const iam = chart.iam;
    if (iam === undefined || !chartClusters(config, chart).includes(cluster.color)) continue;
    const id = `irsa-chart-${chart.name}`;
    const role = new IrsaRole(scope, id, {
      role: chartIrsaRole(config, cluster, { ...chart, iam }),
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      statements: iam.statements.map((s) => ({
        ...(s.sid === undefined ? {} : { sid: s.sid }),
        effect: s.effect,
        actions: [...s.actions],
        resources: [...s.resources],
        ...(s.conditions.length === 0
          ? {}
          : {
              condition: s.conditions.map((c) => ({
                test: c.test,
                variable: c.variable,
                values: [...c.values],
              })),
            }),
      })),
    }).role;
    // Keyed by the ARN, not the position: reordering the list replaces no attachment.
    for (const policyArn of iam.managedPolicyArns) {
      new IamRolePolicyAttachment(
        scope,
        `${id}-${terraformName(policyArn.slice(policyArn.indexOf(':policy/') + 8))}`,
        {
          role: role.name,
          policyArn,
        },
      );
    }
  }
}
