import { Chart } from 'cdk8s';
import { KubeNamespace } from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { appNamespace } from '../../platform/names';
import type { AppConfig } from '../../platform/schema';

export interface AppChartProps {
  readonly app: AppConfig;
}

/** One application team's workload on one cluster: the dist component `apps-<name>`. */
export class AppChart extends Chart {
  constructor(scope: Construct, id: string, props: AppChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { app } = props;
    new KubeNamespace(this, 'namespace', {
      metadata: {
        name: appNamespace(app),
        labels: { 'app.kubernetes.io/part-of': app.name, team: app.team ?? app.name },
      },
    });
  }
}
