import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { IRSA_AUDIENCE, type IrsaRole as IrsaRoleName } from '../../platform/names';

export interface IrsaRoleProps {
  /** Role name and the service account it serves, from platform/names.ts. */
  readonly role: IrsaRoleName;
  /** ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://`: the prefix of the `sub` and `aud` condition keys. */
  readonly oidcIssuer: string;
  /** What the service account may do; empty: no inline policy (the role's policies are attached). */
  readonly statements: readonly DataAwsIamPolicyDocumentStatement[];
}

/**
 * An IAM role for a Kubernetes service account (IRSA): assumable only with a web identity token
 * of this cluster's OIDC issuer whose subject is exactly that service account and whose audience
 * is STS, holding an inline policy of `statements`.
 * https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
 *
 * Logical IDs are `<id>` (role, trust and permission documents, inline policy), pinned so that
 * moving the construct never renames a resource.
 */
export class IrsaRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: IrsaRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [
        {
          sid: 'ServiceAccountWebIdentity',
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [props.oidcProviderArn] }],
          condition: [
            { test: 'StringEquals', variable: `${props.oidcIssuer}:sub`, values: [props.role.subject] },
            { test: 'StringEquals', variable: `${props.oidcIssuer}:aud`, values: [IRSA_AUDIENCE] },
          ],
        },
      ],
    });
    trust.overrideLogicalId(`${id}-trust`);

    this.role = new IamRole(this, 'role', {
      name: props.role.roleName,
      description: `IRSA role of ${props.role.namespace}/${props.role.serviceAccount}`,
      assumeRolePolicy: trust.json,
    });
    this.role.overrideLogicalId(id);

    if (props.statements.length === 0) return;
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [...props.statements],
    });
    permissions.overrideLogicalId(`${id}-permissions`);
    const policy = new IamRolePolicy(this, 'policy', {
      name: props.role.roleName,
      role: this.role.name,
      policy: permissions.json,
    });
    policy.overrideLogicalId(`${id}-permissions`);
  }
}
