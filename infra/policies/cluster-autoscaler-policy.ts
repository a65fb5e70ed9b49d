import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { clusterAutoscalerTags } from '../../platform/names';

/** What cluster-autoscaler reads to discover and simulate node groups. */
export const CLUSTER_AUTOSCALER_READ_ACTIONS = [
  'autoscaling:Describe*',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeImages',
  'ec2:GetInstanceTypesFromInstanceRequirements',
  'eks:DescribeNodegroup',
] as const;

/** What cluster-autoscaler changes: the size of its own Auto Scaling groups. */
export const CLUSTER_AUTOSCALER_SCALE_ACTIONS = [
  'autoscaling:SetDesiredCapacity',
  'autoscaling:TerminateInstanceInAutoScalingGroup',
  'autoscaling:UpdateAutoScalingGroup',
] as const;

/**
 * The cluster-autoscaler policy (seed 002, with the current upstream read list:
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#iam-policy).
 * Reads are on `*` (Describe/Get actions support no resource scoping); scaling actions only apply
 * to Auto Scaling groups tagged for cluster-autoscaler and owned by this cluster. EKS puts both
 * tags on the groups of managed node groups
 * (https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html).
 */
export function clusterAutoscalerStatements(cluster: string): DataAwsIamPolicyDocumentStatement[] {
  const tags = clusterAutoscalerTags(cluster);
  return [
    {
      sid: 'DiscoverNodeGroups',
      effect: 'Allow',
      actions: [...CLUSTER_AUTOSCALER_READ_ACTIONS],
      resources: ['*'],
    },
    {
      sid: 'ScaleOwnNodeGroups',
      effect: 'Allow',
      actions: [...CLUSTER_AUTOSCALER_SCALE_ACTIONS],
      resources: ['*'],
      condition: [
        {
          test: 'StringEquals',
          variable: `autoscaling:ResourceTag/${tags.enabled.key}`,
          values: [tags.enabled.value],
        },
        {
          test: 'StringEquals',
          variable: `autoscaling:ResourceTag/${tags.owner.key}`,
          values: [tags.owner.value],
        },
      ],
    },
  ];
}
