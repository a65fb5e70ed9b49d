import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { clusterName, containerLogGroupName, irsaRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { logsKeyStatements } from '../policies/cluster-key-policies';
import { fluentBitStatements } from '../policies/fluent-bit-policy';
import { customerKey } from './customer-key';
import { IrsaRole } from './irsa-role';

export interface FluentBitProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /** ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://`. */
  readonly oidcIssuer: string;
}

/** Logical IDs, fixed so that moving the construct renames nothing. */
export const FLUENT_BIT_LOGICAL_IDS = {
  role: 'irsa-fluent-bit',
  logGroup: 'container-logs',
  key: 'container-logs-key',
  keyPolicy: 'container-logs-key-policy',
  keyAlias: 'container-logs-key-alias',
} as const;

/**
 * The AWS side of Fluent Bit (`addons.fluentBit`) on one cluster:
 * - the log group `/aws/eks/<cluster>/containers`, created by Terraform with the configured
 *   retention (`addons.fluentBit.retentionDays`), so Fluent Bit never needs logs:CreateLogGroup;
 * - its KMS key (alias `alias/eks/<cluster>/containers`), rotated yearly: a key of its own, as the
 *   control-plane logs have, because the key policy lets CloudWatch Logs use it for one log group
 *   only (the `aws:logs:arn` encryption context, `logsKeyStatements`), and so that container logs,
 *   which may hold application data, can be made unreadable without touching the control-plane logs;
 * - the IRSA role trusted for exactly kube-system/fluent-bit, that can create streams in and write
 *   to that group only (infra/policies/fluent-bit-policy.ts).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export class FluentBit extends Construct {
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: FluentBitProps) {
    super(scope, id);
    const { config, cluster } = props;
    const name = clusterName(config, cluster);
    const logGroupName = containerLogGroupName(name);

    this.key = customerKey(this, FLUENT_BIT_LOGICAL_IDS.key, {
      description: `Container logs of EKS cluster ${name}`,
      alias: `alias/eks/${name}/containers`,
      statements: logsKeyStatements({
        account: config.account,
        region: config.region,
        keyAdministrators: config.encryption.keyAdministrators,
        logGroupName,
      }),
    });

    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: logGroupName,
      retentionInDays: config.addons.fluentBit.retentionDays,
      kmsKeyId: this.key.arn,
    });
    this.logGroup.overrideLogicalId(FLUENT_BIT_LOGICAL_IDS.logGroup);

    this.role = new IrsaRole(this, FLUENT_BIT_LOGICAL_IDS.role, {
      role: irsaRole(config, cluster, 'fluent-bit'),
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      statements: fluentBitStatements({ region: config.region, account: config.account, logGroupName }),
    }).role;
  }
}
