import type { App } from 'cdk8s';
import { appClusters, appComponent } from '../platform/names';
import type { ClusterConfig, PlatformConfig } from '../platform/schema';
import { AppChart } from './charts/app-chart';

/**
 * Adds the charts of one cluster to a cdk8s App. Each chart's id is its dist component, the unit
 * Argo CD syncs (dist/<cluster>/<component>/).
 */
export function addClusterCharts(app: App, config: PlatformConfig, cluster: ClusterConfig): void {
  for (const workload of config.apps) {
    if (appClusters(config, workload).includes(cluster.color)) {
      new AppChart(app, appComponent(workload), { app: workload });
    }
  }
}
