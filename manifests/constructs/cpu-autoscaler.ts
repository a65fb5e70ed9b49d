import { KubeHorizontalPodAutoscalerV2 } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

export interface CpuAutoscalerProps {
  /** Name of the HorizontalPodAutoscaler and of the Deployment it scales. */
  readonly deploymentName: string;
  readonly namespace: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU use, in percent of the pods' CPU requests, that the HPA keeps. */
  readonly targetCpuPercent: number;
  /** @default - no labels */
  readonly labels?: Record<string, string>;
}

/**
 * Scales a Deployment on CPU use relative to its requests (autoscaling/v2; metrics from
 * metrics-server). Pending pods it creates are what makes cluster-autoscaler add nodes (seed 001:
 * HPA + cluster-autoscaler + overprovisioning). Scaling behaviour keeps the Kubernetes defaults:
 * immediate scale-up, scale-down stabilised over 5 minutes.
 * https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export class CpuAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: CpuAutoscalerProps) {
    super(scope, id);
    new KubeHorizontalPodAutoscalerV2(this, 'resource', {
      metadata: { name: props.deploymentName, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.deploymentName },
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: props.targetCpuPercent },
            },
          },
        ],
      },
    });
  }
}
