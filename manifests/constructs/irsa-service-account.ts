import { KubeServiceAccount } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { IRSA_ROLE_ANNOTATION, type IrsaRole } from '../../platform/names';

export interface IrsaServiceAccountProps {
  /** The role from `irsaRole()`: its service account name and namespace, and the ARN it annotates. */
  readonly role: IrsaRole;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The ServiceAccount of an add-on that calls AWS: named and placed exactly as the IAM role's trust
 * policy expects (`system:serviceaccount:<namespace>:<name>`), annotated with the role's ARN.
 */
export class IrsaServiceAccount extends Construct {
  constructor(scope: Construct, id: string, props: IrsaServiceAccountProps) {
    super(scope, id);
    const { role, labels } = props;
    new KubeServiceAccount(this, 'service-account', {
      metadata: {
        name: role.serviceAccount,
        namespace: role.namespace,
        labels: { ...labels },
        annotations: { [IRSA_ROLE_ANNOTATION]: role.roleArn },
      },
    });
  }
}
