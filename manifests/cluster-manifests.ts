import { App } from 'cdk8s';
import type { ClusterConfig, PlatformConfig } from '../platform/schema';
import { addClusterCharts } from './cluster-charts';
import { synthCharts } from './synth-charts';

export interface ClusterManifest {
  /** The chart id: the dist component Argo CD syncs. */
  readonly component: string;
  readonly object: Record<string, unknown>;
}

/** The Kubernetes objects of one cluster, resolved in memory (no file is written). */
export function clusterManifests(config: PlatformConfig, cluster: ClusterConfig): ClusterManifest[] {
  const app = new App({ outdir: 'cdk8s.out' });
  addClusterCharts(app, config, cluster);
  return synthCharts(app).flatMap(({ chart, objects }) =>
    objects.map((object) => ({ component: chart.node.id, object })),
  );
}
