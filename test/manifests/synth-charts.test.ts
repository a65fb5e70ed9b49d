import { ApiObject, App, Chart, JsonPatch, Lazy, type ResolutionContext } from 'cdk8s';
import { IntOrString, KubeDeployment, Quantity } from 'cdk8s-plus-27/lib/imports/k8s';
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
    // Key order too: what a consumer iterating the objects sees is what cdk8s gives.
    expect(JSON.stringify(actual.map((a) => a.objects))).toBe(JSON.stringify(expected.map((e) => e.objects)));
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

  it('are what cdk8s gives for tokens, union values, JSON patches and empty values, key order included', () => {
    const build = () => {
      const app = new App({ outdir: 'cdk8s.out' });
      const chart = new Chart(app, 'c', { disableResourceNameHashes: true, labels: { team: 'x' } });
      new KubeDeployment(chart, 'd', {
        metadata: { name: 'd', annotations: {}, labels: { b: '2', a: '1' } },
        spec: {
          selector: { matchLabels: { app: 'd' } },
          strategy: {
            rollingUpdate: {
              maxUnavailable: IntOrString.fromNumber(1),
              maxSurge: IntOrString.fromString('25%'),
            },
          },
          template: {
            metadata: { labels: { app: 'd' } },
            spec: {
              containers: [
                {
                  name: 'c',
                  image: 'registry/image:1',
                  args: [],
                  resources: { limits: { memory: Quantity.fromString('64Mi') } },
                },
              ],
              volumes: [{ name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('1Gi') } }],
            },
          },
        },
      });
      new ApiObject(chart, 'plain', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'plain', finalizers: [] },
        data: { z: 'last', a: 'first', empty: '', none: undefined },
        list: [1, null, { b: true, a: false }],
      });
      new ApiObject(chart, 'lazy', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'lazy' },
        data: { value: Lazy.any({ produce: () => 'produced' }) },
      });
      new ApiObject(chart, 'patched', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'patched' },
        data: { a: '1' },
      }).addJsonPatch(JsonPatch.add('/data/b', '2'));
      return app;
    };
    const expected = byCdk8s(build());
    const actual = synthCharts(build());
    expect(JSON.stringify(actual.map((a) => a.objects))).toBe(JSON.stringify(expected.map((e) => e.objects)));
    const objects = actual[0]?.objects ?? [];
    const deployment = findNamed(objects, 'd') as {
      spec: { strategy: { rollingUpdate: unknown }; template: { spec: { containers: { image: string }[] } } };
    };
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: 1 });
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('registry/image:1');
    expect(findNamed(objects, 'lazy')).toMatchObject({ data: { value: 'produced' } });
    expect(findNamed(objects, 'patched')).toMatchObject({ data: { a: '1', b: '2' } });
    expect(findNamed(objects, 'plain')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { labels: { team: 'x' }, name: 'plain' },
      data: { a: 'first', empty: '', z: 'last' },
      list: [1, undefined, { a: false, b: true }],
    });
  });

  it('are resolved by cdk8s when the App has resolvers of its own', () => {
    const build = () => {
      const app = new App({
        outdir: 'cdk8s.out',
        resolvers: [
          {
            resolve: (context: ResolutionContext) => {
              if (context.value === 'placeholder') context.replaceValue('replaced');
            },
          },
        ],
      });
      const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
      new ApiObject(chart, 'm', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'm' },
        data: { a: 'placeholder' },
      });
      return app;
    };
    const actual = synthCharts(build());
    expect(actual[0]?.objects[0]).toMatchObject({ data: { a: 'replaced' } });
    expect(actual.map((a) => a.objects)).toEqual(byCdk8s(build()).map((e) => e.objects));
  });

  it('leave ApiObject.prototype.toJson as cdk8s defines it, also after a failure', () => {
    const cdk8sToJson = ApiObject.prototype.toJson;
    synthCharts(clusterApp('dev', 'blue'));
    expect(ApiObject.prototype.toJson).toBe(cdk8sToJson);
    const app = new App({ outdir: 'cdk8s.out' });
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    new ApiObject(chart, 'bad', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bad' },
      data: { a: Lazy.any({ produce: () => new Date(0) }) },
    });
    expect(() => synthCharts(app)).toThrow(/Failed serializing construct at path 'c\/bad'/);
    expect(ApiObject.prototype.toJson).toBe(cdk8sToJson);
  });
});

function findNamed(
  objects: readonly Record<string, unknown>[],
  name: string,
): Record<string, unknown> | undefined {
  return objects.find((o) => (o.metadata as { name?: string } | undefined)?.name === name);
}
