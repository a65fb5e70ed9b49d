/**
 * The CLI process compiles cdk8s-plus-27's generated imports with a linear undefined filter
 * (cli/startup.cjs, `linearUndefinedFilters`): these tests prove that it renders exactly what the
 * installed file renders, on every Kubernetes object of the fixtures with every add-on on, key
 * order and undefined values included.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ApiObject, App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { addClusterCharts } from '../../manifests/cluster-charts';
import { ADDON_KEYS, ADDONS, type AddonDefinition } from '../../platform/addons';
import { FIXTURE_ENVIRONMENTS, fixtureConfig } from '../helpers';

const ROOT = resolve(__dirname, '..', '..');
const startup = require(join(ROOT, 'cli', 'startup.cjs')) as {
  definedEntries: (object: object, value?: (entry: [string, unknown]) => unknown) => object;
  withLinearUndefinedFilters: (source: string) => string;
};

type ToJson = (value: unknown) => unknown;
type Imports = Record<string, unknown>;

const K8S_FILE = join(dirname(require.resolve('cdk8s-plus-27')), 'imports', 'k8s.js');
const SOURCE = readFileSync(K8S_FILE, 'utf8');
const installed = require(K8S_FILE) as Imports;

/** The imports compiled as the CLI compiles them, in a module of their own. */
function linearImports(): Imports {
  const module = new Module(K8S_FILE);
  module.filename = K8S_FILE;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    dirname(K8S_FILE),
  );
  (module as unknown as { _compile(source: string, filename: string): void })._compile(
    startup.withLinearUndefinedFilters(SOURCE),
    K8S_FILE,
  );
  return module.exports as Imports;
}
const linear = linearImports();

/** JSON with key order, and with undefined values kept (JSON.stringify would drop them). */
function exact(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v === undefined ? '<undefined>' : v));
}

/** The json2jsii filter as the installed file writes it. */
function json2jsiiFilter(object: object, value: (entry: [string, unknown]) => unknown = (i) => i[1]): object {
  return Object.entries(object).reduce(
    // biome-ignore lint/performance/noAccumulatingSpread: the quadratic filter is what this test compares against
    (r, i) => (i[1] === undefined ? r : { ...r, [i[0]]: value(i as [string, unknown]) }),
    {},
  );
}

/** Each fixture environment with every add-on the catalog switches on with `enabled`. */
function everyAddonOn() {
  return FIXTURE_ENVIRONMENTS.map((env) =>
    fixtureConfig(env, (raw) => {
      raw.addons ??= {};
      for (const key of ADDON_KEYS) {
        const addon = ADDONS[key] as AddonDefinition;
        if (addon.switch.kind !== 'enabled') continue;
        raw.addons[addon.switch.key] = { ...raw.addons[addon.switch.key], enabled: true };
      }
    }),
  );
}

describe('the linear undefined filter of the generated Kubernetes imports', () => {
  it('replaces every quadratic filter of the installed file and leaves no spread of an accumulator', () => {
    const filters = SOURCE.match(/Object\.entries\([^)]*\)\.reduce\(\(r, i\) =>/g) ?? [];
    expect(filters.length).toBeGreaterThan(400);
    const patched = startup.withLinearUndefinedFilters(SOURCE);
    expect(patched).not.toMatch(/\.\.\.r,/);
    expect(patched.match(/__definedEntries\(/g)?.length).toBe(filters.length + 1);
  });

  it('leaves a file without the filter as it is', () => {
    const source = 'exports.x = Object.entries(o).filter(Boolean);\n';
    expect(startup.withLinearUndefinedFilters(source)).toBe(source);
  });

  it('renders every Kubernetes object of the fixtures exactly as the installed imports do', () => {
    const kinds = new Set<string>();
    let compared = 0;
    for (const config of everyAddonOn()) {
      for (const cluster of config.clusters) {
        const app = new App({ outdir: 'cdk8s.out' });
        addClusterCharts(app, config, cluster);
        for (const object of app.node.findAll()) {
          if (!(object instanceof ApiObject)) continue;
          const className = object.constructor.name;
          const name = `toJson_${className}Props`;
          if (typeof installed[name] !== 'function') continue; // an ApiObject of a CRD: not from these imports
          // What `KubeX.toJson()` gives its props converter: cdk8s's resolved object.
          const resolved = ApiObject.prototype.toJson.call(object);
          const expected = exact((installed[name] as ToJson)(resolved));
          expect(exact((linear[name] as ToJson)(resolved)), `${className} ${object.node.path}`).toBe(
            expected,
          );
          kinds.add(className);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
    expect(kinds.size).toBeGreaterThan(15);
    for (const kind of [
      'KubeDeployment',
      'KubeDaemonSet',
      'KubeService',
      'KubeClusterRole',
      'KubeNetworkPolicy',
    ]) {
      expect(kinds).toContain(kind);
    }
  });

  it('keeps the filter semantics: order, undefined values, mapped values and an own __proto__ key', () => {
    const withProto = JSON.parse('{"b": 1, "__proto__": {"x": 1}, "a": null, "c": 2}');
    const cases: [object, ((entry: [string, unknown]) => unknown) | undefined][] = [
      [{ b: 1, a: undefined, c: 'x', 2: 'two', 1: 'one' }, undefined],
      [
        { requests: { value: '1Gi' }, limits: undefined, other: {} },
        (i) => (i[1] as { value?: unknown })?.value,
      ],
      [withProto, undefined],
      [{}, undefined],
    ];
    for (const [object, value] of cases) {
      const expected = json2jsiiFilter(object, value);
      const actual = startup.definedEntries(object, value);
      expect(exact(actual)).toBe(exact(expected));
      expect(Object.getPrototypeOf(actual)).toBe(Object.prototype);
      expect(Object.keys(actual)).toEqual(Object.keys(expected));
    }
  });

  it('renders an IntOrString, a Quantity and a map of quantities as the installed imports do', () => {
    const { IntOrString, Quantity } = installed as {
      IntOrString: { fromNumber(n: number): unknown; fromString(s: string): unknown };
      Quantity: { fromString(s: string): unknown };
    };
    const container = {
      name: 'web',
      image: 'nginx',
      ports: [{ containerPort: 8080, name: undefined }],
      resources: { requests: { cpu: Quantity.fromString('100m'), memory: undefined }, limits: {} },
      livenessProbe: { httpGet: { port: IntOrString.fromNumber(8080), path: '/' } },
      readinessProbe: { tcpSocket: { port: IntOrString.fromString('http') } },
      env: [{ name: 'A', value: undefined }],
    };
    const name = 'toJson_Container';
    expect(exact((linear[name] as ToJson)(container))).toBe(exact((installed[name] as ToJson)(container)));
  });
});
