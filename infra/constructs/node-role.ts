import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
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
