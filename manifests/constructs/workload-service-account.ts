import { KubeServiceAccount } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

export interface WorkloadServiceAccountProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - no labels */
  readonly labels?: Record<string, string>;
}

/**
 * The identity a workload's pods run as: its own account rather than the namespace's `default`,
 * so a later IRSA role or RoleBinding is granted to this workload alone. The API token is not
 * mounted: platform workloads do not call the Kubernetes API.
 * https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
 */
export class WorkloadServiceAccount extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: WorkloadServiceAccountProps) {
    super(scope, id);
    this.name = props.name;
    new KubeServiceAccount(this, 'resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      automountServiceAccountToken: false,
    });
  }
}
