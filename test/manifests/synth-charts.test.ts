import { ApiObject, App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { addClusterCharts } from '../../manifests/cluster-charts';
import { appCharts, synthCharts } from '../../manifests/synth-charts';
import { fixtureConfig } from '../helpers';

/** What cdk8s itself gives: `app.charts`, then `chart.toJson()` of each. */
function byCdk8s(app: App) {
  return app.charts.map((chart) => ({ chart, objects: chart.toJson() }));
}

function clusterApp(env: 'dev' | 'prod', color: string): App {
  const config = fixtureConfig(env);
  const cluster = config.clusters.find((c) => c.color === color);
  if (cluster === undefined) throw new Error(`no ${color} cluster in ${env}`);
  const app = new App({ outdir: 'cdk8s.out' });
  addClusterCharts(app, config, cluster);
  return app;
}

describe('the charts of a cluster and their objects', () => {
  it.each([
    ['dev', 'blue'],
    ['prod', 'blue'],
    ['prod', 'green'],
  ] as const)('are what cdk8s gives for the %s %s cluster, in the same order', (env, color) => {
    const expected = byCdk8s(clusterApp(env, color));
    const app = clusterApp(env, color);
    expect(appCharts(app).map((c) => c.node.id)).toEqual(expected.map((e) => e.chart.node.id));
    const actual = synthCharts(app);
    expect(actual.map((a) => a.chart.node.id)).toEqual(expected.map((e) => e.chart.node.id));
    expect(actual.map((a) => a.objects)).toEqual(expected.map((e) => e.objects));
  });

  it('follow the dependencies cdk8s orders by when constructs depend on each other', () => {
    const build = () => {
      const app = new App({ outdir: 'cdk8s.out' });
      const first = new Chart(app, 'first', { disableResourceNameHashes: true });
      const second = new Chart(app, 'second', { disableResourceNameHashes: true });
      const a = new ApiObject(second, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
      const b = new ApiObject(second, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
      const c = new ApiObject(first, 'c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
      // b before a inside a chart; a chart dependency too (inferred only once the App is synthesized).
      a.addDependency(b);
      c.addDependency(a);
      return app;
    };
    const expected = byCdk8s(build());
    expect(expected.map((e) => e.chart.node.id)).toEqual(['first', 'second']);
    expect(expected[1]?.objects.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      'b',
      'a',
    ]);
    const actual = synthCharts(build());
    expect(actual.map((a) => a.chart.node.id)).toEqual(['first', 'second']);
    expect(actual.map((a) => a.objects)).toEqual(expected.map((e) => e.objects));
  });

  it('are none for an App without charts', () => {
    expect(synthCharts(new App({ outdir: 'cdk8s.out' }))).toEqual([]);
  });
});
