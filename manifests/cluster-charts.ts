import type { App } from 'cdk8s';
import { ADDON_COMPONENTS, ARGOCD, appClusters, appComponent } from '../platform/names';
import type { ClusterConfig, PlatformConfig } from '../platform/schema';
import { AppChart } from './charts/app-chart';
import { ArgoCdChart } from './charts/argocd-chart';
import { ClusterAutoscalerChart } from './charts/cluster-autoscaler-chart';
import { ExternalDnsChart } from './charts/external-dns-chart';
import { MetricsServerChart } from './charts/metrics-server-chart';
import { OverprovisioningChart } from './charts/overprovisioning-chart';
import { RbacChart } from './charts/rbac-chart';
import { appCharts } from './synth-charts';
import { addCustomWorkloads } from './workloads/custom-workloads';

/**
 * Adds the charts of one cluster to a cdk8s App. Each chart's id is its dist component, the unit
 * Argo CD syncs (dist/<cluster>/<component>/).
 */
export function addClusterCharts(app: App, config: PlatformConfig, cluster: ClusterConfig): void {
  addAddonCharts(app, config, cluster);
  for (const workload of config.apps) {
    if (appClusters(config, workload).includes(cluster.color)) {
      new AppChart(app, appComponent(workload), { config, app: workload });
    }
  }
  addCustomWorkloads(app, config, cluster);
  // Last, so that it reads every other component and all of their objects.
  new ArgoCdChart(app, ARGOCD.component, { config, cluster, components: appCharts(app) });
}

/**
 * The cluster add-ons, each switched by `addons.<name>.enabled`. RBAC has no switch: the group
 * bindings give `access` its meaning, and in CONFIG_MAP mode nodes cannot join without aws-auth.
 */
function addAddonCharts(app: App, config: PlatformConfig, cluster: ClusterConfig): void {
  const { addons } = config;
  new RbacChart(app, ADDON_COMPONENTS.rbac, { config, cluster });
  if (addons.clusterAutoscaler.enabled) {
    new ClusterAutoscalerChart(app, ADDON_COMPONENTS.clusterAutoscaler, { config, cluster });
  }
  if (addons.externalDns.enabled) {
    new ExternalDnsChart(app, ADDON_COMPONENTS.externalDns, { config, cluster });
  }
  if (addons.metricsServer.enabled) {
    new MetricsServerChart(app, ADDON_COMPONENTS.metricsServer, { cluster });
  }
  if (addons.overprovisioning.enabled) {
    new OverprovisioningChart(app, ADDON_COMPONENTS.overprovisioning, { config, cluster });
  }
}
