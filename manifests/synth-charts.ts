/**
 * The charts of a cdk8s App and their objects, as `app.charts` and `chart.toJson()` give them,
 * in time linear in the App's size.
 *
 * cdk8s 2.70 computes both from dependency graphs (`DependencyGraph`, keyed by construct paths),
 * and `chart.toJson()` first prepares the whole App (`App._synthChart`: infer dependencies between
 * charts and objects, run every construct's validations): calling it on every chart costs
 * charts × constructs, about 2 minutes for a cluster of 2,000 apps.
 * https://github.com/cdk8s-team/cdk8s-core/blob/2.x/src/app.ts
 * https://github.com/cdk8s-team/cdk8s-core/blob/2.x/src/dependency.ts
 */
import {
  ApiObject,
  type App,
  Chart,
  DependencyGraph,
  ImplicitTokenResolver,
  Lazy,
  LazyResolver,
  NumberStringUnionResolver,
} from 'cdk8s';
import type { IConstruct } from 'constructs';

/**
 * Whether the App's topological orders are its construct tree's order: no construct depends on
 * another and no chart is nested in a chart, so cdk8s infers no dependency either. Its graphs then
 * have no edge, and a graph without edges lists its constructs in the order they were added to it
 * (DependencyGraph adopts every vertex, in insertion order, as a root; the keys are construct
 * paths, of which only a top-level id can look like an array index, which JavaScript would order
 * first).
 */
function inTreeOrder(app: App): boolean {
  for (const construct of app.node.findAll()) {
    if (construct.node.dependencies.length > 0) return false;
    if (Chart.isChart(construct)) {
      if (/^(0|[1-9]\d*)$/.test(construct.node.id)) return false;
      const parent = construct.node.scope;
      if (parent !== undefined && parent !== app) return false;
    }
  }
  return true;
}

/** The charts of the App, exactly as `app.charts` lists them (topologically sorted). */
export function appCharts(app: App, treeOrder = inTreeOrder(app)): Chart[] {
  if (!treeOrder) return app.charts;
  return app.node.children.filter((c): c is Chart => Chart.isChart(c));
}

/**
 * The objects of each chart of the App, exactly as `chart.toJson()` returns them, in the order of
 * `app.charts`. The first chart's `toJson()` prepares the App once (dependencies, validations);
 * the others are rendered as `_synthChart` renders a chart after that preparation (its
 * `chartToKube`: the chart's ApiObjects in dependency order, each in its closest chart only).
 * Preparing again would add no dependency and find no new error.
 */
export function synthCharts(app: App): { chart: Chart; objects: Record<string, unknown>[] }[] {
  // Preparing the App adds dependencies only from existing ones and from nested charts: a tree
  // without either stays in tree order.
  const treeOrder = inTreeOrder(app);
  const charts = appCharts(app, treeOrder);
  const [first] = charts;
  if (first === undefined) return [];
  return withPlainDataToJson(app, () => {
    const firstObjects = first.toJson() as Record<string, unknown>[];
    return charts.map((chart) => ({
      chart,
      objects:
        chart === first
          ? firstObjects
          : chartApiObjects(chart, treeOrder).map((o) => o.toJson() as Record<string, unknown>),
    }));
  });
}

function chartApiObjects(chart: Chart, treeOrder: boolean): ApiObject[] {
  const isOwn = (c: IConstruct): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart;
  return (treeOrder ? chart.node.findAll() : new DependencyGraph(chart.node).topology()).filter(isOwn);
}

/**
 * Runs `body` with `ApiObject.prototype.toJson` (what every generated `KubeX.toJson()` calls as
 * `super.toJson()`) rendering plain data without cdk8s's token resolution, then restores it.
 *
 * cdk8s's `toJson` resolves every value of an object (`resolve`: a ResolutionContext, three
 * resolvers and `App.of`, which walks up the construct tree, per leaf), then sanitizes it
 * (`sanitizeValue`: sorted keys, null and undefined dropped). On a value holding nothing but plain
 * objects, arrays, strings, numbers and booleans the resolvers replace nothing, so the result is
 * the sanitized value alone: `plainSanitized` computes it in one walk and gives up on anything
 * else (a Lazy, a function, an object with a `resolve` method, a JSON patch...), which cdk8s's own `toJson` then
 * renders. An App with resolvers of its own is rendered by cdk8s throughout. On 2,000 apps (15,000
 * objects) this saves seconds; test/manifests/synth-charts.test.ts compares both, key order
 * included. Keys are always sorted, as cdk8s does unless CDK8S_DISABLE_SORT is set (the files are
 * sorted by cli/serialize.ts either way).
 * https://github.com/cdk8s-team/cdk8s-core/blob/2.x/src/api-object.ts (toJson)
 * https://github.com/cdk8s-team/cdk8s-core/blob/2.x/src/resolve.ts
 * https://github.com/cdk8s-team/cdk8s-core/blob/2.x/src/_util.ts (sanitizeValue)
 */
export function withPlainDataToJson<T>(app: App, body: () => T): T {
  if (!onlyBuiltInResolvers(app)) return body();
  const cdk8sToJson = ApiObject.prototype.toJson;
  ApiObject.prototype.toJson = function toJson(this: ApiObject) {
    return plainDataToJson(this) ?? cdk8sToJson.call(this);
  };
  try {
    return body();
  } finally {
    ApiObject.prototype.toJson = cdk8sToJson;
  }
}

const BUILT_IN_RESOLVERS: readonly unknown[] = [
  LazyResolver,
  ImplicitTokenResolver,
  NumberStringUnionResolver,
];

function onlyBuiltInResolvers(app: App): boolean {
  return (
    app.resolvers.length === BUILT_IN_RESOLVERS.length &&
    app.resolvers.every(
      (r, i) => Object.getPrototypeOf(r) === (BUILT_IN_RESOLVERS[i] as { prototype: unknown }).prototype,
    )
  );
}

/** The fields `ApiObjectMetadataDefinition.toJson()` reads (private in its type). */
interface MetadataFields {
  readonly _additionalAttributes: Record<string, unknown>;
  readonly name: unknown;
  readonly namespace: unknown;
  readonly annotations: unknown;
  readonly finalizers: unknown;
  readonly ownerReferences: unknown;
  readonly labels: unknown;
}

const METADATA_FIELDS = ['_additionalAttributes', 'annotations', 'finalizers', 'ownerReferences', 'labels'];

/** `ApiObject.toJson()` of an object of plain data; undefined when cdk8s must render it. */
function plainDataToJson(object: ApiObject): Record<string, unknown> | undefined {
  const { props, patches } = object as unknown as { props: Record<string, unknown>; patches: unknown[] };
  if (patches.length > 0) return undefined;
  const m = object.metadata as unknown as MetadataFields;
  if (!METADATA_FIELDS.every((field) => field in m)) return undefined;
  try {
    // ApiObjectMetadataDefinition.toJson()
    const metadata = plainSanitized(
      {
        ...m._additionalAttributes,
        name: m.name,
        namespace: m.namespace,
        annotations: m.annotations,
        finalizers: m.finalizers,
        ownerReferences: m.ownerReferences,
        labels: m.labels,
      },
      METADATA_OPTIONS,
    );
    const json = plainSanitized({ ...props, metadata }, OBJECT_OPTIONS) as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const key of ['apiVersion', 'kind', 'metadata', ...Object.keys(json)]) {
      if (key in json) result[key] = json[key];
    }
    return result;
  } catch (error) {
    if (error === NOT_PLAIN) return undefined;
    throw error;
  }
}

interface SanitizeOptions {
  readonly filterEmptyArrays: boolean;
  readonly filterEmptyObjects: boolean;
}

const METADATA_OPTIONS: SanitizeOptions = { filterEmptyArrays: true, filterEmptyObjects: true };
const OBJECT_OPTIONS: SanitizeOptions = { filterEmptyArrays: false, filterEmptyObjects: false };

/** Thrown by `plainSanitized` at a value cdk8s's resolvers could replace. */
const NOT_PLAIN = Symbol('not plain data');

/**
 * What cdk8s's resolvers make of an object that is not a plain one: NumberStringUnionResolver
 * turns an instance of a union class of the generated imports (`IntOrString`, `Quantity`) into
 * `{ value }`; a Lazy or an object with a `resolve` method is left to cdk8s.
 */
function unionValue(value: object): { value: string | number } {
  const union = value as { value?: unknown; resolve?: unknown };
  if (value instanceof Lazy || typeof union.resolve === 'function') throw NOT_PLAIN;
  if (typeof union.value === 'string' || typeof union.value === 'number') return { value: union.value };
  throw NOT_PLAIN;
}

/**
 * `sanitizeValue(resolve([], value, object), { sortKeys: true, ...options })` of cdk8s for plain
 * data; throws NOT_PLAIN at anything else.
 */
function plainSanitized(value: unknown, options: SanitizeOptions): unknown {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      throw NOT_PLAIN;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    // A `value` field is what NumberStringUnionResolver replaces on a non-plain object.
    if ('value' in array || 'resolve' in array) throw NOT_PLAIN;
    if (options.filterEmptyArrays && array.length === 0) return undefined;
    return array.map((item) => plainSanitized(item, options));
  }
  if (proto !== Object.prototype) return unionValue(value);
  const record = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  let empty = true;
  for (const key of Object.keys(record).sort()) {
    // resolve() copies into a fresh object, where `__proto__` would set the prototype; an own
    // `constructor` makes cdk8s treat the object as a class instance.
    if (key === '__proto__' || key === 'constructor') throw NOT_PLAIN;
    const item = plainSanitized(record[key], options);
    if (item !== undefined) {
      result[key] = item;
      empty = false;
    }
  }
  return options.filterEmptyObjects && empty ? undefined : result;
}
