import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { logGroupArn } from './cluster-key-policies';

/**
 * What Fluent Bit's `cloudwatch_logs` output does with its log group: create a stream per log file
 * (`log_stream_prefix` + tag), find a stream's state, and put events. The actions the plugin's
 * documentation lists (https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch, Permissions)
 * without logs:CreateLogGroup and logs:PutRetentionPolicy: Terraform owns the group, its retention
 * and its key, and the output runs with `auto_create_group Off`.
 */
export const FLUENT_BIT_LOGS_ACTIONS = [
  'logs:CreateLogStream',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
] as const;

/**
 * The statements of Fluent Bit's IRSA role: the actions above on exactly the cluster's container
 * log group and its streams (`<group ARN>:*`, the `log-group:<name>:log-stream:<stream>` resources
 * of https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
 * No KMS statement: CloudWatch Logs, not the writer, uses the group's key (the key policy grants
 * `logs.<region>.amazonaws.com` for this group only;
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
export function fluentBitStatements(props: {
  readonly region: string;
  readonly account: string;
  readonly logGroupName: string;
}): DataAwsIamPolicyDocumentStatement[] {
  const group = logGroupArn(props.region, props.account, props.logGroupName);
  return [
    {
      sid: 'ContainerLogStreams',
      effect: 'Allow',
      actions: [...FLUENT_BIT_LOGS_ACTIONS],
      resources: [group, `${group}:*`],
    },
  ];
}
