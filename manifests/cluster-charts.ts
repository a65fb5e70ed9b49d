import type { App } from 'cdk8s';
import { addonRuns } from '../platform/addons';
import { ARGOCD, appClusters, appComponent } from '../platform/names';
import type { ClusterConfig, PlatformConfig } from '../platform/schema';
import { MANIFEST_ADDONS, type ManifestAddon } from './addon-charts';
import { AppChart } from './charts/app-chart';
import { ArgoCdChart } from './charts/argocd-chart';
import { appCharts } from './synth-charts';
import { addCustomWorkloads } from './workloads/custom-workloads';

/**
 * Adds the charts of one cluster to a cdk8s App. Each chart's id is its dist component, the unit
 * Argo CD syncs (dist/<cluster>/<component>/). `addons` is the add-on registry, the catalog's by
 * default; a test passes its own to add an add-on without editing this file.
 */
export function addClusterCharts(
  app: App,
  config: PlatformConfig,
  cluster: ClusterConfig,
  addons: readonly ManifestAddon[] = MANIFEST_ADDONS,
): void {
  addAddonCharts(app, config, cluster, addons);
  for (const workload of config.apps) {
    if (appClusters(config, workload).includes(cluster.color)) {
      new AppChart(app, appComponent(workload), { app: workload, config });
    }
  }
  addCustomWorkloads(app, config, cluster);
  // Last, so that it reads every other component and all of their objects.
  new ArgoCdChart(app, ARGOCD.component, {
    config,
    cluster,
    components: appCharts(app),
    addons: addons.map((addon) => addon.definition),
  });
}

/** The cluster add-ons, each one the registry holds and `addonRuns` lets run here, in registry order. */
function addAddonCharts(
  app: App,
  config: PlatformConfig,
  cluster: ClusterConfig,
  addons: readonly ManifestAddon[],
): void {
  for (const { definition, chart } of addons) {
    if (addonRuns(config, cluster, definition)) new chart(app, definition.component, { config, cluster });
  }
}
