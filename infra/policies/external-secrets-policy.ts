import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

/**
 * What External Secrets Operator's AWS Secrets Manager provider calls to read a secret by name
 * (ExternalSecret `data[].remoteRef.key` and `dataFrom[].extract`): the read statement of the
 * provider's IAM policy (external-secrets/external-secrets docs/provider/aws-secrets-manager.md at
 * helm-chart-2.9.0, "IAM Policy") without `secretsmanager:GetResourcePolicy`, which it needs only
 * for the `resourcePolicy` metadata of PushSecret. Its other statement, `ListSecrets` and
 * `BatchGetSecretValue` on `*`, serves `dataFrom.find` (search by name or tags), which the
 * platform never renders: a search would list every secret name of the account.
 */
export const EXTERNAL_SECRETS_READ_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:ListSecretVersionIds',
] as const;

/**
 * The statements of External Secrets Operator's IRSA role:
 * - the read actions above on the secrets whose name starts with the environment's prefix
 *   (`arn:aws:secretsmanager:<region>:<account>:secret:<prefix>*`; the `*` also covers the six
 *   random characters Secrets Manager appends to every secret ARN,
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources);
 * - `kms:Decrypt` for secrets encrypted with a customer managed key, only when Secrets Manager calls
 *   KMS on the role's behalf (`kms:ViaService`) and only for those same secrets: Secrets Manager
 *   puts the secret's ARN in the encryption context `SecretARN`
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html). With the
 *   AWS managed key aws/secretsmanager the statement is not needed and grants nothing more. The
 *   key's own policy must still allow the account (the default key policy does).
 * Nothing writes: no PushSecret permission.
 */
export function externalSecretsStatements(props: {
  readonly region: string;
  readonly account: string;
  readonly prefix: string;
}): DataAwsIamPolicyDocumentStatement[] {
  const secrets = `arn:aws:secretsmanager:${props.region}:${props.account}:secret:${props.prefix}*`;
  return [
    {
      sid: 'ReadEnvironmentSecrets',
      effect: 'Allow',
      actions: [...EXTERNAL_SECRETS_READ_ACTIONS],
      resources: [secrets],
    },
    {
      sid: 'DecryptEnvironmentSecrets',
      effect: 'Allow',
      actions: ['kms:Decrypt'],
      resources: [`arn:aws:kms:${props.region}:${props.account}:key/*`],
      condition: [
        {
          test: 'StringEquals',
          variable: 'kms:ViaService',
          values: [`secretsmanager.${props.region}.amazonaws.com`],
        },
        { test: 'StringLike', variable: 'kms:EncryptionContext:SecretARN', values: [secrets] },
      ],
    },
  ];
}
