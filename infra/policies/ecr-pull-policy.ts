import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

/** Where the image repositories live (seed 000: one account holds every ECR repository). */
export interface EcrLocation {
  readonly account: string;
  readonly region: string;
}

/** The read actions of seed 000's cross-account ECR policy, minus GetAuthorizationToken. */
export const ECR_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:GetRepositoryPolicy',
  'ecr:DescribeRepositories',
  'ecr:ListImages',
  'ecr:DescribeImages',
  'ecr:BatchGetImage',
] as const;

/**
 * Lets nodes pull images from the repositories of one account and region (seed 000). The
 * repository actions are scoped to that account's repositories; `ecr:GetAuthorizationToken`
 * supports no resource-level scoping, so it alone is granted on `*`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html).
 * A pull from another account also needs that account's repository policy to allow this role.
 */
export function ecrPullStatements(ecr: EcrLocation): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: 'EcrAuthorizationToken',
      effect: 'Allow',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    },
    {
      sid: 'EcrPullRepositories',
      effect: 'Allow',
      actions: [...ECR_PULL_ACTIONS],
      resources: [`arn:aws:ecr:${ecr.region}:${ecr.account}:repository/*`],
    },
  ];
}
