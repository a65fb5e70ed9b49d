import { IntOrString, KubePodDisruptionBudget } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

export interface DisruptionBudgetProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods the budget protects: the workload's selector. */
  readonly selector: Record<string, string>;
  /** @default - no labels */
  readonly labels?: Record<string, string>;
}

/**
 * Lets voluntary disruptions (node drains for upgrades, cluster-autoscaler scale-down, spot
 * rebalancing) take one pod of the workload at a time.
 *
 * `maxUnavailable: 1` rather than `minAvailable`: the HPA moves the replica count, and a
 * `minAvailable` equal to the HPA minimum would forbid every eviction whenever the app runs at
 * its minimum, leaving node upgrades and scale-down stuck. With one replica this budget lets the
 * pod go, which is the honest trade-off: a single replica is not highly available anyway.
 * `unhealthyPodEvictionPolicy: AlwaysAllow` lets a drain evict pods that are not ready, so a
 * crash-looping app never blocks node maintenance.
 * https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export class DisruptionBudget extends Construct {
  constructor(scope: Construct, id: string, props: DisruptionBudgetProps) {
    super(scope, id);
    new KubePodDisruptionBudget(this, 'resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        maxUnavailable: IntOrString.fromNumber(1),
        selector: { matchLabels: { ...props.selector } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}
