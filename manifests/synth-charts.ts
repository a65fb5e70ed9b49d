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
import { ApiObject, type App, Chart, DependencyGraph } from 'cdk8s';
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
  const firstObjects = first.toJson() as Record<string, unknown>[];
  return charts.map((chart) => ({
    chart,
    objects:
      chart === first
        ? firstObjects
        : chartApiObjects(chart, treeOrder).map((o) => o.toJson() as Record<string, unknown>),
  }));
}

function chartApiObjects(chart: Chart, treeOrder: boolean): ApiObject[] {
  const isOwn = (c: IConstruct): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart;
  return (treeOrder ? chart.node.findAll() : new DependencyGraph(chart.node).topology()).filter(isOwn);
}
