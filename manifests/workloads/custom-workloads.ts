import { type App, Chart } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { appClusters, appComponent, clusterName } from '../../platform/names';
import type { AppConfig, ClusterConfig, PlatformConfig } from '../../platform/schema';
import { annotateSyncWaves } from '../sync-waves';
import { LedgerReconciliation } from './ledger-reconciliation';

export interface CustomWorkloadContext {
  /** The `apps` entry the workload extends. */
  readonly app: AppConfig;
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
}

/** A workload written in TypeScript because `apps` cannot express it. */
export interface CustomWorkload {
  /**
   * Name of the `apps` entry it extends. The workload joins that app's component (the same Argo
   * CD application, so it is synced, and pruned, with the app), runs in its namespace, and is
   * rendered on exactly the clusters the app runs on.
   */
  readonly app: string;
  /** Adds the workload's objects under `scope`, the app's chart; returns the construct it added. */
  readonly add: (scope: Construct, context: CustomWorkloadContext) => IConstruct;
}

/** The registered custom workloads. Add yours here. */
export const CUSTOM_WORKLOADS: readonly CustomWorkload[] = [
  {
    app: 'ledger',
    add: (scope, { app }) => new LedgerReconciliation(scope, 'ledger-reconciliation', { app }),
  },
];

/**
 * Adds the custom workloads of the apps running on `cluster` to their app charts. Call it after
 * the app charts exist. A workload registered for an app the environment does not define is not
 * rendered (dev has no ledger).
 */
export function addCustomWorkloads(app: App, config: PlatformConfig, cluster: ClusterConfig): void {
  for (const workload of CUSTOM_WORKLOADS) {
    const owner = config.apps.find((a) => a.name === workload.app);
    if (owner === undefined || !appClusters(config, owner).includes(cluster.color)) continue;
    const chart = app.node.tryFindChild(appComponent(owner));
    if (!(chart instanceof Chart)) {
      throw new Error(
        `custom workload of app ${owner.name}: no chart ${appComponent(owner)} on cluster ${clusterName(config, cluster)}; call addCustomWorkloads after the app charts are added`,
      );
    }
    annotateSyncWaves(workload.add(chart, { app: owner, config, cluster }));
  }
}
