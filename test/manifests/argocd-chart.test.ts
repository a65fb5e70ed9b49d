import { describe, expect, it } from 'vitest';
import type { RenderedObject, Rendering } from '../../cli/render';
import { kubernetesSchemaRule } from '../../cli/rules/kubernetes-schema';
import { namespaceExistsRule, objectScopeRule } from '../../cli/rules/object-scope';
import { APPLICATION_WAVES, LAYER_LABEL, RESOURCES_FINALIZER } from '../../manifests/charts/argocd-chart';
import { SYNC_WAVE_ANNOTATION } from '../../manifests/sync-waves';
import { ADDON_COMPONENTS } from '../../platform/names';
import { violationsOf } from '../cli/rule-violations';
import { findObject, fixtureConfig, objectsOf, renderConfigs } from '../helpers';

type Obj = Record<string, any>;

const IN_CLUSTER = 'https://kubernetes.default.svc';

function argocdObjects(rendering: Rendering, cluster: string): Obj[] {
  return objectsOf(rendering, cluster, 'argocd').map((o) => o.object as Obj);
}

function applications(rendering: Rendering, cluster: string): Obj[] {
  return argocdObjects(rendering, cluster).filter((o) => o.kind === 'Application');
}

/** The components Argo CD syncs on a cluster: every dist component but its own. */
function components(rendering: Rendering, cluster: string): string[] {
  return [...new Set(objectsOf(rendering, cluster).map((o) => o.component))]
    .filter((c) => c !== 'argocd')
    .sort();
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const wave = (o: Obj) => Number(o.metadata.annotations[SYNC_WAVE_ANNOTATION]);

/** Whether the AppProject lets an Application create an object, as Argo CD decides it. */
function permitted(project: Obj, object: Obj): boolean {
  const group = groupOf(object.apiVersion);
  const namespace = object.metadata.namespace as string | undefined;
  const listed = (list: Obj[] | undefined) =>
    (list ?? []).some((k) => k.group === group && k.kind === object.kind);
  if (namespace === undefined) return listed(project.spec.clusterResourceWhitelist);
  return (
    listed(project.spec.namespaceResourceWhitelist) &&
    (project.spec.destinations as Obj[]).some((d) => d.server === IN_CLUSTER && d.namespace === namespace)
  );
}

describe('argocd component', () => {
  const prod = fixtureConfig('prod');
  const dev = fixtureConfig('dev');
  const rendering = renderConfigs([prod, dev]);
  const clusters = ['prod-blue', 'prod-green', 'dev-blue'];

  it('holds, per cluster, one AppProject named after it and one Application per other component', () => {
    for (const cluster of clusters) {
      const objects = argocdObjects(rendering, cluster);
      expect(objects.filter((o) => o.kind === 'AppProject').map((o) => o.metadata.name)).toEqual([cluster]);
      expect(
        applications(rendering, cluster)
          .map((a) => a.metadata.name)
          .sort(),
      ).toEqual(components(rendering, cluster));
      expect(objects).toHaveLength(components(rendering, cluster).length + 1);
      for (const o of objects) expect(o.metadata.namespace).toBe('argocd');
    }
    expect(components(rendering, 'prod-blue')).toContain('apps-ledger');
    expect(components(rendering, 'dev-blue')).not.toContain('apps-ledger');
  });

  it('reads each component from its dist folder in this repository at gitops.revision', () => {
    for (const cluster of clusters) {
      const config = cluster.startsWith('prod') ? prod : dev;
      for (const app of applications(rendering, cluster)) {
        const component = app.metadata.name as string;
        expect(app.spec.project).toBe(cluster);
        expect(app.spec.source).toEqual({
          repoURL: config.gitops.repoURL,
          targetRevision: config.gitops.revision,
          path: `dist/${cluster}/${component}`,
        });
        // The folder exists in dist/ and holds that component's files only.
        const files = rendering.files.filter((f) => f.path.startsWith(`${cluster}/${component}/`));
        expect(files.length).toBe(objectsOf(rendering, cluster, component).length);
        expect(files.length).toBeGreaterThan(0);
      }
    }
  });

  it('syncs automatically with prune and self-heal, server-side, into the namespaces the components render', () => {
    for (const app of applications(rendering, 'prod-blue')) {
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.spec.syncPolicy.syncOptions).toEqual(
        expect.arrayContaining(['ServerSideApply=true', 'PruneLast=true', 'FailOnSharedResource=true']),
      );
      // Namespaces are rendered objects of their components, never created by Argo CD.
      expect(app.spec.syncPolicy.syncOptions).not.toContain('CreateNamespace=true');
      expect(app.spec.syncPolicy.retry.limit).toBeGreaterThan(0);
      expect(app.metadata.finalizers).toEqual([RESOURCES_FINALIZER]);
      expect(app.spec.destination.server).toBe(IN_CLUSTER);
    }
    const destination = (name: string) =>
      applications(rendering, 'prod-blue').find((a) => a.metadata.name === name)?.spec.destination.namespace;
    expect(destination('apps-web')).toBe('web');
    expect(destination('apps-ledger')).toBe('payments');
    expect(destination('overprovisioning')).toBe('overprovisioning');
    expect(destination('external-dns')).toBe('kube-system');
    // RBAC renders only cluster-scoped objects; its default namespace is one every cluster has.
    expect(destination('rbac')).toBe('kube-system');
  });

  it('orders the sync: the project, then RBAC, then the other add-ons, then the apps', () => {
    for (const cluster of clusters) {
      const project = findObject(rendering, cluster, 'AppProject', cluster);
      const apps = applications(rendering, cluster);
      const addonNames = Object.values(ADDON_COMPONENTS) as string[];
      const addons = apps.filter((a) => addonNames.includes(a.metadata.name));
      const workloads = apps.filter((a) => !addonNames.includes(a.metadata.name));
      const rbac = apps.find((a) => a.metadata.name === 'rbac') as Obj;
      expect(workloads.length).toBeGreaterThan(0);
      for (const app of apps) expect(wave(project)).toBeLessThan(wave(app));
      for (const addon of addons.filter((a) => a !== rbac)) expect(wave(rbac)).toBeLessThan(wave(addon));
      for (const addon of addons) {
        for (const workload of workloads) expect(wave(addon)).toBeLessThan(wave(workload));
        expect(addon.metadata.labels[LAYER_LABEL]).toBe('addons');
      }
      for (const workload of workloads) {
        expect(wave(workload)).toBe(APPLICATION_WAVES.apps);
        expect(workload.metadata.labels[LAYER_LABEL]).toBe('apps');
      }
    }
  });

  it('restricts the AppProject to this repository, the namespaces used and the kinds rendered', () => {
    for (const cluster of clusters) {
      const config = cluster.startsWith('prod') ? prod : dev;
      const project = findObject(rendering, cluster, 'AppProject', cluster);
      expect(project.spec.sourceRepos).toEqual([config.gitops.repoURL]);
      const synced = objectsOf(rendering, cluster).filter((o) => o.component !== 'argocd');
      const namespaced = synced.map((o) => o.object as Obj).filter((o) => o.metadata.namespace !== undefined);
      const clusterScoped = synced
        .map((o) => o.object as Obj)
        .filter((o) => o.metadata.namespace === undefined);
      const kinds = (objects: Obj[]) =>
        [...new Set(objects.map((o) => `${groupOf(o.apiVersion)}/${o.kind}`))].sort();
      const listed = (list: Obj[]) => list.map((k) => `${k.group}/${k.kind}`);
      expect(listed(project.spec.clusterResourceWhitelist)).toEqual(kinds(clusterScoped));
      expect(listed(project.spec.namespaceResourceWhitelist)).toEqual(kinds(namespaced));
      expect(listed(project.spec.clusterResourceWhitelist)).toContain('/Namespace');
      expect(listed(project.spec.clusterResourceWhitelist)).not.toContain('*/*');
      const namespaces = new Set([
        ...namespaced.map((o) => o.metadata.namespace as string),
        ...applications(rendering, cluster).map((a) => a.spec.destination.namespace as string),
      ]);
      expect(project.spec.destinations).toEqual(
        [...namespaces].sort().map((namespace) => ({ server: IN_CLUSTER, namespace })),
      );
      expect(namespaces.has('argocd')).toBe(false);
      // Every object a component renders is one its Application may create.
      for (const o of synced) expect(permitted(project, o.object as Obj)).toBe(true);
    }
  });

  it('follows the components of the config: a disabled add-on has no Application and no kinds', () => {
    const edited = renderConfigs([
      fixtureConfig('dev', (raw) => {
        raw.addons.metricsServer.enabled = false;
      }),
    ]);
    const names = applications(edited, 'dev-blue').map((a) => a.metadata.name);
    expect(names).not.toContain('metrics-server');
    expect(applications(rendering, 'dev-blue').map((a) => a.metadata.name)).toContain('metrics-server');
    const project = findObject(edited, 'dev-blue', 'AppProject', 'dev-blue');
    const clusterKinds = (project.spec.clusterResourceWhitelist as Obj[]).map((k) => k.kind);
    expect(clusterKinds).not.toContain('APIService');
    expect(
      (
        findObject(rendering, 'dev-blue', 'AppProject', 'dev-blue').spec.clusterResourceWhitelist as Obj[]
      ).map((k) => k.kind),
    ).toContain('APIService');
  });

  it("validates every Argo CD object against Argo CD's schemas and keeps them in namespace argocd", () => {
    const objects = rendering.objects.filter((o) => o.component === 'argocd');
    expect(objects.length).toBe(clusters.reduce((n, c) => n + components(rendering, c).length + 1, 0));
    expect(violationsOf(kubernetesSchemaRule, { objects: objects })).toEqual([]);
    expect(violationsOf([objectScopeRule, namespaceExistsRule], { objects: objects })).toEqual([]);
  });

  it('rejects a broken Application and an Argo CD kind without a schema', () => {
    const original = rendering.objects.find(
      (o) => o.component === 'argocd' && o.object.kind === 'Application',
    ) as RenderedObject;
    const broken = (edit: (spec: Obj) => void): RenderedObject => {
      const object = structuredClone(original.object) as Obj;
      edit(object.spec);
      return { ...original, object };
    };
    const violations = violationsOf(kubernetesSchemaRule, {
      objects: [
        broken((spec) => {
          delete spec.destination;
        }),
        broken((spec) => {
          spec.syncPolicy.automated.prune = 'yes';
        }),
        broken((spec) => {
          spec.source.repoURL = undefined;
        }),
        { ...original, object: { ...original.object, kind: 'Rollout' } },
      ],
    });
    expect(violations.map((v) => v.message)).toEqual([
      'data/spec must have required property destination',
      'data/spec/syncPolicy/automated/prune must be boolean',
      'data/spec/source must have required property repoURL',
      'no schema known for argoproj.io/v1alpha1 Rollout',
    ]);
    for (const v of violations) {
      expect(v.rule).toBe('k8s-schema');
      expect(v.file).toBe(original.path);
    }
  });
});
