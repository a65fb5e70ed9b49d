import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { ADDONS, type AddonDefinition } from '../../platform/addons';
import {
  type HelmChartSourceConfig,
  helmChartSource,
  isSystemNamespace,
  withRoleArn,
} from '../../platform/helm-charts';
import {
  ARGOCD,
  argoCdProject,
  chartApplication,
  chartClusters,
  chartIrsaRole,
  clusterName,
  gitopsPath,
} from '../../platform/names';
import type { ClusterConfig, HelmChartConfig, PlatformConfig } from '../../platform/schema';
import { SYNC_WAVE_ANNOTATION } from '../sync-waves';

export interface ArgoCdChartProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /**
   * The charts of the cluster's other components, one Application each. Their objects decide
   * what the AppProject permits: the namespaces they use and the kinds they render.
   */
  readonly components: readonly Chart[];
  /**
   * The add-ons among the components (by component name), which sync before the apps.
   * @default - every add-on of the catalog (platform/addons.ts)
   */
  readonly addons?: readonly AddonDefinition[];
}

const API_VERSION = 'argoproj.io/v1alpha1';

/** A field Argo CD leaves out of its diff (https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/). */
export interface IgnoreDifference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly jqPathExpressions: readonly string[];
}

/**
 * A component chart some of whose fields are written in the cluster, not in dist/ (a webhook's
 * caBundle written by a certificate job): its Application ignores them in its diff and keeps them
 * on sync (`RespectIgnoreDifferences=true`), so they are neither drift nor overwritten.
 */
export interface IgnoresDifferences {
  readonly argoCdIgnoreDifferences: readonly IgnoreDifference[];
}

function ignoredDifferences(chart: Chart): readonly IgnoreDifference[] {
  return (chart as Partial<IgnoresDifferences>).argoCdIgnoreDifferences ?? [];
}

/**
 * The order in which the root Application creates the cluster's AppProject and Applications.
 * Argo CD waits for each wave to be healthy before the next one; for Applications that needs the
 * `argoproj.io/Application` health check the bootstrap stack configures, since Argo CD 1.8 does
 * not assess Application health by default
 * (https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app).
 */
export const APPLICATION_WAVES = {
  /** The AppProject: every Application references it. */
  project: -3,
  /** RBAC: the `access` groups' bindings, and in CONFIG_MAP mode aws-auth, which nodes need to join. */
  access: -2,
  /**
   * Operators an add-on installs from their upstream Helm chart (`installedBy: 'helm'`), before the
   * add-ons: their CRDs must exist before the add-on components that render custom resources of
   * them (External Secrets' ClusterSecretStore) and the apps that do (ExternalSecrets).
   */
  operators: -2,
  /** The other add-ons: autoscaling, DNS, metrics (HPAs) and the overprovisioning PriorityClass. */
  addons: -1,
  /** Application teams' workloads, once the add-ons they rely on are healthy. */
  apps: 0,
} as const;

/**
 * Label that says whether an Application carries an add-on or an app, so an operator can select
 * the workloads of a cluster (`kubectl -n argocd get applications -l eks-platform.io/layer=apps`).
 */
export const LAYER_LABEL = 'eks-platform.io/layer';

/**
 * With this finalizer, deleting an Application first deletes the objects it manages
 * (https://argo-cd.readthedocs.io/en/stable/user-guide/app_deletion/#about-the-deletion-finalizer).
 * Component Applications carry it so that removing a component from config (an app, an add-on
 * switched off) removes its workloads instead of leaving them running unmanaged; the root
 * Application does not, so that replacing the bootstrap release never deletes a workload.
 */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** The namespace of a component that renders only cluster-scoped objects; every cluster has it. */
const FALLBACK_NAMESPACE = 'kube-system';

type Layer = 'access' | 'addons' | 'apps';

/**
 * Where a component stands in the sync order: RBAC (layer `access`), then the other add-ons, then
 * the apps (any component that is no add-on).
 */
export function componentLayer(
  component: string,
  addons: readonly AddonDefinition[] = Object.values(ADDONS),
): Layer {
  return addons.find((addon) => addon.component === component)?.layer ?? 'apps';
}

export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/**
 * A Helm chart Argo CD installs from its repository at an exact version: a `charts:` entry, or an
 * add-on installed by its upstream chart (`installedBy: 'helm'`), whose chart class exposes it as
 * `helmRelease`. It gets an AppProject of its own and an Application, both named `application`.
 */
export interface HelmRelease {
  readonly application: string;
  /** The Helm release name: charts name their objects after it. */
  readonly releaseName: string;
  /** The AppProject's description. */
  readonly description: string;
  readonly source: HelmChartSourceConfig;
  /** The destination namespace; Argo CD creates it unless it is default or kube-*. */
  readonly namespace: string;
  readonly otherNamespaces: readonly string[];
  /** The cluster-scoped kinds the chart creates (Namespace is added when Argo CD creates it). */
  readonly clusterResources: readonly GroupKind[];
  /** The namespaced kinds it creates. @default - any kind, in its namespaces */
  readonly namespaceResources?: readonly GroupKind[] | undefined;
  /** Values, the role ARN placeholder already replaced. */
  readonly values: Record<string, unknown>;
  readonly wave: 'operators' | 'addons';
}

/** A component chart whose add-on is installed by a Helm chart (`installedBy: 'helm'`). */
export interface HelmInstalledChart {
  readonly helmRelease: HelmRelease;
}

function helmReleaseOf(chart: Chart): HelmRelease | undefined {
  return (chart as Partial<HelmInstalledChart>).helmRelease;
}

/** What a component's objects need from the AppProject. */
interface ComponentNeeds {
  readonly component: string;
  /** Namespaces of its namespaced objects. */
  readonly namespaces: readonly string[];
  /** Namespaces it creates (Namespace objects). */
  readonly createdNamespaces: readonly string[];
  readonly clusterKinds: readonly GroupKind[];
  readonly namespacedKinds: readonly GroupKind[];
}

/**
 * Reads a component's objects from its chart. The charts set metadata.namespace on namespaced
 * objects only (checked by `npm run check`), so an object without one is cluster-scoped.
 */
function componentNeeds(chart: Chart): ComponentNeeds {
  const namespaces = new Set<string>();
  const created = new Set<string>();
  const clusterKinds = new Map<string, GroupKind>();
  const namespacedKinds = new Map<string, GroupKind>();
  for (const child of chart.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    // Argo CD names the core group '' (cdk8s says 'core').
    const groupKind = { group: apiGroupOf(child.apiVersion), kind: child.kind };
    const key = `${groupKind.group}/${groupKind.kind}`;
    const namespace = child.metadata.namespace;
    if (namespace === undefined) {
      clusterKinds.set(key, groupKind);
      if (child.kind === 'Namespace' && groupKind.group === '') created.add(child.name);
    } else {
      namespacedKinds.set(key, groupKind);
      namespaces.add(namespace);
    }
  }
  return {
    component: chart.node.id,
    namespaces: [...namespaces].sort(),
    createdNamespaces: [...created].sort(),
    clusterKinds: sortedKinds(clusterKinds.values()),
    namespacedKinds: sortedKinds(namespacedKinds.values()),
  };
}

/** The API group of an apiVersion: `apps` for apps/v1, '' for the core group (v1). */
function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function sortedKinds(kinds: Iterable<GroupKind>): GroupKind[] {
  const byKey = new Map<string, GroupKind>();
  for (const k of kinds) byKey.set(`${k.group}/${k.kind}`, k);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
}

/**
 * The default namespace of a component's Application: the one it creates, else the first it uses,
 * else kube-system. Argo CD puts there only namespaced objects that name no namespace (ours all
 * name one), but checks it against the project's destinations.
 * https://argo-cd.readthedocs.io/en/stable/user-guide/application-specification/
 */
function destinationNamespace(needs: ComponentNeeds): string {
  return needs.createdNamespaces[0] ?? needs.namespaces[0] ?? FALLBACK_NAMESPACE;
}

/**
 * Argo CD's objects for one cluster (dist/<cluster>/argocd/), synced by the root Application of
 * the bootstrap stack: an AppProject restricted to this repository, to the namespaces the
 * components use and to the kinds they render, then one Application per component reading
 * `dist/<cluster>/<component>` at `gitops.revision`.
 *
 * The charts are read, not config: whatever a chart renders is exactly what its Application may
 * create, so adding an object to a chart never needs a second edit here.
 *
 * Each `charts:` entry that targets the cluster adds an AppProject and an Application of its own
 * (`addHelmChart` below): Argo CD renders those charts itself, so their project comes from config.
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster, components } = props;
    const project = argoCdProject(config, cluster);
    const needs = components.map(componentNeeds);
    if (needs.some((n) => n.component === ARGOCD.component)) {
      throw new Error(
        `argocd chart of ${clusterName(config, cluster)}: components must be the other charts, got ${needs.map((n) => n.component).join(', ')}`,
      );
    }

    const destinationNamespaces = [
      ...new Set(needs.flatMap((n) => [...n.namespaces, destinationNamespace(n)])),
    ].sort();
    new ApiObject(this, 'project', {
      apiVersion: API_VERSION,
      kind: 'AppProject',
      metadata: {
        name: project,
        namespace: ARGOCD.namespace,
        annotations: { [SYNC_WAVE_ANNOTATION]: String(APPLICATION_WAVES.project) },
      },
      spec: {
        description: `Components of EKS cluster ${clusterName(config, cluster)}, rendered by npm run synth`,
        sourceRepos: [config.gitops.repoURL],
        destinations: destinationNamespaces.map((namespace) => ({
          server: ARGOCD.inClusterServer,
          namespace,
        })),
        // An empty whitelist allows no cluster-scoped object and `*` allows any (a
        // ClusterRoleBinding to cluster-admin): only the kinds rendered are allowed, and only the
        // namespaced kinds rendered, so an Application cannot create, say, another Application.
        // https://argo-cd.readthedocs.io/en/stable/operator-manual/project-specification/
        clusterResourceWhitelist: sortedKinds(needs.flatMap((n) => n.clusterKinds)),
        namespaceResourceWhitelist: sortedKinds(needs.flatMap((n) => n.namespacedKinds)),
      },
    });

    for (const [index, component] of needs.entries()) {
      const layer = componentLayer(component.component, props.addons);
      const ignored = ignoredDifferences(components[index] as Chart);
      new ApiObject(this, `application-${component.component}`, {
        apiVersion: API_VERSION,
        kind: 'Application',
        metadata: {
          name: component.component,
          namespace: ARGOCD.namespace,
          labels: { [LAYER_LABEL]: layer === 'apps' ? 'apps' : 'addons' },
          annotations: { [SYNC_WAVE_ANNOTATION]: String(APPLICATION_WAVES[layer]) },
          finalizers: [RESOURCES_FINALIZER],
        },
        spec: {
          project,
          source: {
            repoURL: config.gitops.repoURL,
            targetRevision: config.gitops.revision,
            path: gitopsPath(config, cluster, component.component),
          },
          destination: { server: ARGOCD.inClusterServer, namespace: destinationNamespace(component) },
          syncPolicy: componentSyncPolicy(ignored.length > 0 ? ['RespectIgnoreDifferences=true'] : []),
          ...(ignored.length > 0
            ? {
                ignoreDifferences: ignored.map((d) => ({
                  ...d,
                  jqPathExpressions: [...d.jqPathExpressions],
                })),
              }
            : {}),
        },
      });
    }

    for (const component of components) {
      const release = helmReleaseOf(component);
      if (release !== undefined) addHelmRelease(this, release);
    }
    for (const chart of config.charts) {
      if (chartClusters(config, chart).includes(cluster.color)) {
        addHelmRelease(this, chartRelease(config, cluster, chart));
      }
    }
  }
}

/** The sync policy of every component Application, with `extraOptions` after the common ones. */
function componentSyncPolicy(extraOptions: readonly string[]) {
  return {
    // dist/ is the desired state: objects removed from it are deleted, edits made in the
    // cluster are reverted. An empty folder is never synced (allowEmpty is false), so a
    // broken render cannot prune a whole component.
    // https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/
    automated: { prune: true, selfHeal: true },
    syncOptions: [
      // Field ownership: replicas left to an HPA or to cluster-proportional-autoscaler are
      // not Argo CD's, and no last-applied annotation is written.
      // https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#server-side-apply
      'ServerSideApply=true',
      // Delete what left dist/ only after the rest of the sync is healthy.
      'PruneLast=true',
      // Refuse to take over an object another Application already manages.
      'FailOnSharedResource=true',
      ...extraOptions,
    ],
    // An automated sync that failed is not attempted again for the same commit; a retry
    // covers transient failures (a webhook or an API service not ready yet).
    retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
  };
}

/** Every namespaced kind: a chart's AppProject allows them in the chart's one namespace. */
const ANY_KIND: GroupKind = { group: '*', kind: '*' };

/** A `charts:` entry on this cluster, as a Helm release. */
function chartRelease(config: PlatformConfig, cluster: ClusterConfig, chart: HelmChartConfig): HelmRelease {
  return {
    application: chartApplication(chart),
    releaseName: chart.name,
    description: `Helm chart ${chart.chart} (charts: ${chart.name}) on EKS cluster ${clusterName(config, cluster)}, rendered by npm run synth`,
    source: chart,
    namespace: chart.namespace,
    otherNamespaces: chart.otherNamespaces,
    clusterResources: chart.clusterResources,
    namespaceResources: chart.namespaceResources,
    values:
      chart.iam === undefined
        ? chart.values
        : (withRoleArn(
            chart.values,
            chartIrsaRole(config, cluster, { ...chart, iam: chart.iam }).roleArn,
          ) as Record<string, unknown>),
    // Platform software like the add-ons: synced before the apps, which may rely on it.
    wave: 'addons',
  };
}

/**
 * A Helm release on this cluster: an AppProject of its own and an Application installing the
 * chart from its repository at its exact version. Unlike the components above, Argo CD renders
 * the chart's objects itself (helm template in its repo server), so the project cannot be read
 * from them: it allows what the release declares, and nothing else.
 * - sourceRepos: the chart's repository only (for OCI, the chart's own artifact).
 * - destinations: the chart's namespace on this cluster, and the other namespaces it lists.
 * - clusterResourceWhitelist: the kinds the release lists (none by default), plus Namespace when
 *   Argo CD creates the namespace: CreateNamespace is refused for a project that does not allow
 *   Namespace (https://github.com/argoproj/argo-cd/issues/22869).
 * - namespaceResourceWhitelist: the kinds the release lists, else any kind (in those namespaces).
 * https://argo-cd.readthedocs.io/en/stable/operator-manual/project-specification/
 */
function addHelmRelease(scope: Chart, release: HelmRelease) {
  const name = release.application;
  const source = helmChartSource(release.source);
  // default and kube-* exist on every cluster; Argo CD creates any other namespace (and never deletes it).
  const createNamespace = !isSystemNamespace(release.namespace);
  const clusterKinds = sortedKinds([
    ...release.clusterResources,
    ...(createNamespace ? [{ group: '', kind: 'Namespace' }] : []),
  ]);
  new ApiObject(scope, `project-${name}`, {
    apiVersion: API_VERSION,
    kind: 'AppProject',
    metadata: {
      name,
      namespace: ARGOCD.namespace,
      annotations: { [SYNC_WAVE_ANNOTATION]: String(APPLICATION_WAVES.project) },
    },
    spec: {
      description: release.description,
      sourceRepos: [source.repoURL],
      destinations: [release.namespace, ...[...release.otherNamespaces].sort()].map((namespace) => ({
        server: ARGOCD.inClusterServer,
        namespace,
      })),
      clusterResourceWhitelist: clusterKinds,
      namespaceResourceWhitelist:
        release.namespaceResources === undefined ? [ANY_KIND] : sortedKinds(release.namespaceResources),
    },
  });
  const { values } = release;
  new ApiObject(scope, `application-${name}`, {
    apiVersion: API_VERSION,
    kind: 'Application',
    metadata: {
      name,
      namespace: ARGOCD.namespace,
      labels: { [LAYER_LABEL]: 'addons' },
      annotations: { [SYNC_WAVE_ANNOTATION]: String(APPLICATION_WAVES[release.wave]) },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: name,
      source: {
        ...source,
        helm: {
          // The release's name, not the Application's (Argo CD's default): charts name their
          // objects after the release, and their docs assume the usual one (cilium, linkerd-control-plane…).
          releaseName: release.releaseName,
          // valuesObject (a field of the Application CRD of the pinned Argo CD and of the 2.14
          // schema `npm run check` validates with) keeps the values a YAML tree in dist/, so a values
          // change is a readable diff. https://argo-cd.readthedocs.io/en/stable/user-guide/helm/#values
          ...(Object.keys(values).length > 0 ? { valuesObject: values } : {}),
        },
      },
      destination: { server: ARGOCD.inClusterServer, namespace: release.namespace },
      syncPolicy: componentSyncPolicy(createNamespace ? ['CreateNamespace=true'] : []),
    },
  });
}
