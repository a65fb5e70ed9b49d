/**
 * Rule `log-group-encryption` (issue 14): every CloudWatch log group of every stack is encrypted
 * with a customer managed KMS key (`kms_key_id`), a key of its own stack or a key ARN. CloudWatch
 * Logs encrypts every log group with its own key anyway; a customer key puts who may read the logs
 * in a key policy, records every decryption in CloudTrail and can make the logs unreadable at once.
 * The control-plane logs carry the audit log: who did what on the cluster.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
import { type Finding, type Rule, terraformComments } from './rule';
import { blocksOf } from './terraform-json';

export const logGroupEncryptionRule: Rule<'log-group-encryption'> = {
  id: 'log-group-encryption',
  summary:
    "Every CloudWatch log group is encrypted with a customer managed KMS key of its stack (or a key ARN): who may read the control-plane logs, the cluster's audit trail, is then decided by a key policy, every decryption is logged in CloudTrail, and disabling the key makes them unreadable at once.",
  check({ rendering }) {
    const findings: Finding[] = [];
    for (const stack of rendering.stacks) {
      const keys = new Set(blocksOf(stack, 'aws_kms_key').map(([id]) => id));
      for (const [id, group] of blocksOf(stack, 'aws_cloudwatch_log_group')) {
        const value = group.kms_key_id;
        const key =
          typeof value === 'string' ? /^\$\{aws_kms_key\.([\w-]+)\.arn\}$/.exec(value)?.[1] : undefined;
        const literal =
          typeof value === 'string' && /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(value);
        if (literal || (key !== undefined && keys.has(key))) continue;
        findings.push({
          file: stack.path,
          subject: terraformComments(group),
          message:
            value === undefined
              ? `aws_cloudwatch_log_group.${id} (${String(group.name)}) has no kms_key_id: its logs are encrypted with CloudWatch's own key, not a customer managed key`
              : `aws_cloudwatch_log_group.${id} kms_key_id must be the ARN of an aws_kms_key of its stack or a key ARN, got ${JSON.stringify(value)}`,
        });
      }
    }
    return findings;
  },
};
