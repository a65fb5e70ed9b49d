import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { nodeRole } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import { type EcrLocation, ecrPullStatements } from '../policies/ecr-pull-policy';

/**
 * AWS managed policies every EKS node needs: join the cluster, run the VPC CNI, pull images, and
 * be reachable through Systems Manager instead of SSH.
 * https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
 */
export const NODE_MANAGED_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryReadOnly',
  'AmazonSSMManagedInstanceCore',
] as const;

export interface NodeRoleProps {
  /** IAM role name, from platform/names.ts nodeRole(): aws-auth maps exactly this role. */
  readonly roleName: string;
  /** The account and region holding the image repositories (seed 000's cross-account ECR). */
  readonly ecr: EcrLocation;
}

/**
 * The IAM role of a cluster's nodes: the managed policies of NODE_MANAGED_POLICIES and an inline
 * policy to pull images from the ECR account. Logical IDs are `<id>`, `<id>-<policy name>` and
 * `<id>-ecr-pull`, pinned so that moving the construct never renames a resource.
 */
export class NodeRole extends Construct {
  readonly role: IamRole;
  /** Everything the role's permissions consist of: node groups wait for these. */
  readonly permissions: readonly (IamRolePolicyAttachment | IamRolePolicy)[];

  constructor(scope: Construct, id: string, props: NodeRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [
        {
          sid: 'Ec2Instances',
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }],
        },
      ],
    });
    trust.overrideLogicalId(`${id}-trust`);

    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: 'EKS nodes',
      assumeRolePolicy: trust.json,
    });
    this.role.overrideLogicalId(id);

    const attachments = NODE_MANAGED_POLICIES.map((policy) => {
      const attachment = new IamRolePolicyAttachment(this, policy, {
        role: this.role.name,
        policyArn: `arn:aws:iam::aws:policy/${policy}`,
      });
      attachment.overrideLogicalId(`${id}-${policy}`);
      return attachment;
    });

    const ecrDocument = new DataAwsIamPolicyDocument(this, 'ecr-pull-document', {
      statement: ecrPullStatements(props.ecr),
    });
    ecrDocument.overrideLogicalId(`${id}-ecr-pull`);
    const ecrPolicy = new IamRolePolicy(this, 'ecr-pull', {
      name: `${props.roleName}-ecr-pull`,
      role: this.role.name,
      policy: ecrDocument.json,
    });
    ecrPolicy.overrideLogicalId(`${id}-ecr-pull`);

    this.permissions = [...attachments, ecrPolicy];
  }
}

/** What a pull needs from the repository side (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html). */
export const ECR_REPOSITORY_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
] as const;

/**
 * The repository policy an ECR account needs so that the nodes of other accounts can pull
 * (docs/infrastructure.md gives it; test/infra/ecr-repository-policy.test.ts keeps the two equal).
 * Not rendered as a stack: `aws_ecr_repository_policy` owns the whole policy of a repository, and
 * several environments pull from the same repositories (in the example, dev and prod both pull
 * `web`), so one stack per environment would overwrite the others' grants. This policy gathers every
 * environment of `configs` that pulls from `ecr` across accounts: each account root in
 * `Principal`, each node role (both colors) in an `aws:PrincipalArn` condition. Role ARNs are not
 * written in `Principal`, where IAM would store the role's unique id and stop matching once a
 * blue/green cycle recreates the role
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
 * Undefined when no environment pulls across accounts.
 */
export function ecrRepositoryPolicy(configs: readonly PlatformConfig[], ecr: EcrLocation) {
  const pulling = configs.filter(
    (config) =>
      config.ecr !== undefined &&
      config.ecr.account === ecr.account &&
      config.ecr.region === ecr.region &&
      config.account !== ecr.account,
  );
  if (pulling.length === 0) return undefined;
  const accounts = [...new Set(pulling.map((config) => `arn:aws:iam::${config.account}:root`))].sort();
  const roles = pulling
    .flatMap((config) => config.clusters.map((cluster) => nodeRole(config, cluster).roleArn))
    .sort();
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksNodesPull',
        Effect: 'Allow',
        Principal: { AWS: accounts.length === 1 ? accounts[0] : accounts },
        Action: [...ECR_REPOSITORY_PULL_ACTIONS],
        Condition: { ArnEquals: { 'aws:PrincipalArn': roles } },
      },
    ],
  };
}
