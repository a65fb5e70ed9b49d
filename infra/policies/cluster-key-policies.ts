import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

/**
 * The key administrators' actions: those of the key administrators statement of the default key
 * policy the KMS console writes, except `kms:Create*`, narrowed to kms:CreateAlias: on a key,
 * `Create*` also matches kms:CreateGrant, which would let an administrator grant itself the key's
 * use without a policy change. Everything that manages the key (describe, enable, disable, rotate,
 * tag, change its policy, schedule or cancel its deletion) and nothing that uses it (no Encrypt,
 * Decrypt, GenerateDataKey, ReEncrypt nor CreateGrant). An administrator can still rewrite the key
 * policy (kms:PutKeyPolicy): that is what administering a key means, and CloudTrail records it.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
] as const;

/**
 * What the EKS control plane does with the secrets key, as the cluster role: envelope-encrypt and
 * decrypt the data keys of Secrets, read the key and its grants. The same set terraform-aws-eks
 * grants the cluster role (https://github.com/terraform-aws-modules/terraform-aws-eks/blob/master/main.tf,
 * aws_iam_policy.cluster_encryption).
 */
export const SECRETS_KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ListGrants',
  'kms:DescribeKey',
] as const;

/**
 * What CloudWatch Logs does with a log group's key, as AWS's key policy for it lists it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export const LOGS_KEY_USE_ACTIONS = [
  'kms:Encrypt*',
  'kms:Decrypt*',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:Describe*',
] as const;

/** Sids of the key policy statements, which tests and the kms-key-policy rule read. */
export const KEY_POLICY_SIDS = {
  account: 'AccountAndIamPolicies',
  administrators: 'KeyAdministrators',
  cluster: 'ClusterEnvelopeEncryption',
  logs: 'CloudWatchLogsOfThisLogGroup',
} as const;

/** The account root principal: the account itself, never only its root user. */
export function accountPrincipal(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

/**
 * The statements every key of a cluster starts with.
 *
 * The account keeps `kms:*`, the statement of the default key policy, rather than administration
 * actions only:
 * - no principal, not even the root user, has any right on a KMS key that its key policy does not
 *   give, so this statement is what keeps the key manageable whatever happens to the roles named
 *   below; and CreateKey/PutKeyPolicy refuse a policy that would stop the caller from changing it
 *   again (the lockout safety check), which this statement passes for any caller whose IAM policy
 *   allows kms:PutKeyPolicy, whichever role runs Terraform;
 * - it is what lets IAM policies grant the key at all: the principal that creates the cluster needs
 *   kms:CreateGrant and kms:DescribeKey on the secrets key (EKS documents it; the Terraform caller
 *   is not known at render time), and readers of an encrypted log group may need kms:Decrypt through
 *   logs (kms:ViaService) in their own IAM policies;
 * - administration actions alone would not be a boundary: they include kms:PutKeyPolicy, so any
 *   principal IAM allows to administer the key could give itself the rest. Who may use the key is
 *   decided by IAM policies, as for every other resource of the account, plus the grants below.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
 * https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html (BypassPolicyLockoutSafetyCheck)
 *
 * The configured administrators are named as principals: KMS checks at CreateKey and PutKeyPolicy
 * that they exist, so they must exist before the stack is deployed (the provider retries while IAM
 * propagates a new principal: waitIAMPropagation in
 * https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/kms/key.go); a role
 * deleted and recreated under the same name shows as its old unique id in the policy until the next
 * apply writes the ARN again.
 */
export function keyBaseStatements(
  account: string,
  keyAdministrators: readonly string[],
): DataAwsIamPolicyDocumentStatement[] {
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      sid: KEY_POLICY_SIDS.account,
      effect: 'Allow',
      principals: [{ type: 'AWS', identifiers: [accountPrincipal(account)] }],
      actions: ['kms:*'],
      // In a key policy, `*` is this key.
      resources: ['*'],
    },
  ];
  if (keyAdministrators.length > 0) {
    statements.push({
      sid: KEY_POLICY_SIDS.administrators,
      effect: 'Allow',
      principals: [{ type: 'AWS', identifiers: [...keyAdministrators] }],
      actions: [...KEY_ADMINISTRATION_ACTIONS],
      resources: ['*'],
    });
  }
  return statements;
}

/**
 * The key policy of the secrets key: the account, the configured administrators, and the cluster
 * role's envelope encryption. The cluster role is named in the policy, so the control plane keeps
 * its use of the key even if its IAM policy is edited away. No kms:ViaService condition: the control
 * plane calls KMS as the cluster role itself, not through another service on a caller's behalf, and
 * AWS documents no condition key for it.
 * https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html
 */
export function secretsKeyStatements(props: {
  readonly account: string;
  readonly keyAdministrators: readonly string[];
  /** The cluster role's ARN, a reference to the role, so that Terraform creates the role first. */
  readonly clusterRoleArn: string;
}): DataAwsIamPolicyDocumentStatement[] {
  return [
    ...keyBaseStatements(props.account, props.keyAdministrators),
    {
      sid: KEY_POLICY_SIDS.cluster,
      effect: 'Allow',
      principals: [{ type: 'AWS', identifiers: [props.clusterRoleArn] }],
      actions: [...SECRETS_KEY_USE_ACTIONS],
      resources: ['*'],
    },
  ];
}

/** ARN of a log group, as CloudWatch Logs puts it in the encryption context. */
export function logGroupArn(region: string, account: string, logGroupName: string): string {
  return `arn:aws:logs:${region}:${account}:log-group:${logGroupName}`;
}

/**
 * The key policy of a log group's key: the account, the configured administrators, and CloudWatch
 * Logs of the region, for this one log group only (the `aws:logs:arn` encryption context CloudWatch
 * Logs sends with every request), so the key cannot encrypt another log group.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function logsKeyStatements(props: {
  readonly account: string;
  readonly region: string;
  readonly keyAdministrators: readonly string[];
  readonly logGroupName: string;
}): DataAwsIamPolicyDocumentStatement[] {
  return [
    ...keyBaseStatements(props.account, props.keyAdministrators),
    {
      sid: KEY_POLICY_SIDS.logs,
      effect: 'Allow',
      principals: [{ type: 'Service', identifiers: [`logs.${props.region}.amazonaws.com`] }],
      actions: [...LOGS_KEY_USE_ACTIONS],
      resources: ['*'],
      condition: [
        {
          test: 'ArnEquals',
          variable: 'kms:EncryptionContext:aws:logs:arn',
          values: [logGroupArn(props.region, props.account, props.logGroupName)],
        },
      ],
    },
  ];
}
