import { App } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RenderedObject } from '../../cli/render';
import { iamWildcardsRule } from '../../cli/rules/iam-wildcards';
import { kubernetesSchemaRule } from '../../cli/rules/kubernetes-schema';
import { terraformReferencesRule } from '../../cli/rules/terraform-references';
import { addPlatformStacks } from '../../infra/platform-stacks';
import { APPLICATION_HEALTH_KEY } from '../../infra/stacks/bootstrap-stack';
import { ARGOCD_HELM } from '../../platform/images';
import { ConfigError } from '../../platform/load';
import { ARGOCD } from '../../platform/names';
import { violationsOf } from '../cli/rule-violations';
import { fixtureConfig, objectsOf, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { dataOf, one, ref } from './stack-json';

type Values = Record<string, any>;

/**
 * What the argocd-apps chart renders from one `applications` or `projects` entry: its templates
 * copy the entry's fields into spec, and its key, namespace and finalizers into metadata.
 * https://github.com/argoproj/argo-helm/tree/main/charts/argocd-apps/templates
 */
function chartObject(kind: 'Application' | 'AppProject', name: string, entry: Values): RenderedObject {
  const { namespace, finalizers, additionalLabels, additionalAnnotations, ...spec } = entry;
  return {
    environment: 'prod',
    cluster: 'prod-blue',
    component: 'bootstrap',
    path: `argocd-apps/${kind}/${name}`,
    object: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind,
      metadata: { name, namespace, ...(finalizers ? { finalizers } : {}) },
      spec,
    },
  };
}

describe('bootstrap stacks', () => {
  const prod = fixtureConfig('prod');
  const dev = fixtureConfig('dev');
  const rendering = renderConfigs([prod, dev]);
  const blue = stackOf(rendering, 'prod-blue-bootstrap');
  const green = stackOf(rendering, 'prod-green-bootstrap');
  const releases = (stack = blue) => resourcesOf(stack, 'helm_release');
  const values = (stack = blue, release = 'argocd-apps'): Values =>
    parse(one(releases(stack), release).values[0]) as Values;

  it('makes one bootstrap stack per cluster, named <cluster>-bootstrap, after its cluster stack', () => {
    const names = rendering.stacks.map((s) => s.name);
    expect(names.filter((n) => n.endsWith('-bootstrap'))).toEqual([
      'prod-blue-bootstrap',
      'prod-green-bootstrap',
      'dev-blue-bootstrap',
    ]);
    const stacks = addPlatformStacks(new App({ stackTraces: false }), prod);
    stacks.bootstraps.forEach((bootstrap, i) => {
      expect(bootstrap.dependencies).toEqual([stacks.clusters[i]]);
    });
  });

  it('reads the cluster by the name the cluster stack gives it, without a cross-stack reference', () => {
    for (const [bootstrap, cluster] of [
      [blue, 'prod-blue'],
      [green, 'prod-green'],
    ] as const) {
      const clusterStack = stackOf(rendering, cluster);
      expect(one(dataOf(bootstrap, 'aws_eks_cluster'), 'cluster').name).toBe(
        one(resourcesOf(clusterStack, 'aws_eks_cluster'), 'cluster').name,
      );
      expect(dataOf(bootstrap, 'terraform_remote_state')).toEqual({});
    }
  });

  it('configures the helm provider from the data source and an aws eks get-token exec', () => {
    const providers = (blue.json.provider as Values).helm as Values[];
    expect(providers).toHaveLength(1);
    expect(providers[0]?.kubernetes).toEqual({
      host: ref('data.aws_eks_cluster.cluster.endpoint'),
      cluster_ca_certificate: ref('base64decode(data.aws_eks_cluster.cluster.certificate_authority[0].data)'),
      exec: {
        api_version: 'client.authentication.k8s.io/v1beta1',
        command: 'aws',
        args: [
          'eks',
          'get-token',
          '--cluster-name',
          'prod-blue',
          '--region',
          'ca-central-1',
          '--output',
          'json',
        ],
      },
    });
    const devHelm = ((stackOf(rendering, 'dev-blue-bootstrap').json.provider as Values).helm as Values[])[0];
    expect(devHelm?.kubernetes.exec.args).toContain('dev-blue');
  });

  it('installs the pinned Argo CD chart into namespace argocd with the Application health check', () => {
    const argocd = one(releases(), 'argocd');
    expect(argocd).toMatchObject({
      name: 'argocd',
      repository: 'https://argoproj.github.io/argo-helm',
      chart: 'argo-cd',
      version: ARGOCD_HELM.argoCd.version,
      namespace: 'argocd',
      create_namespace: true,
    });
    expect(argocd.version).toMatch(/^\d+\.\d+\.\d+$/);
    const health = values(blue, 'argocd').configs.cm[APPLICATION_HEALTH_KEY] as string;
    expect(health).toContain('hs.status = obj.status.health.status');
    expect(health.trim().endsWith('return hs')).toBe(true);
  });

  it('creates the root Application through the pinned argocd-apps chart once Argo CD is installed', () => {
    const apps = one(releases(), 'argocd-apps');
    expect(apps).toMatchObject({
      chart: 'argocd-apps',
      version: ARGOCD_HELM.argoCdApps.version,
      namespace: 'argocd',
      depends_on: ['helm_release.argocd'],
    });
    expect(apps.create_namespace).toBeUndefined();
    const root = values().applications.root as Values;
    expect(root).toMatchObject({
      namespace: 'argocd',
      project: 'bootstrap',
      source: {
        repoURL: 'https://git.example.com/platform/eks-platform.git',
        targetRevision: 'main',
        path: 'dist/prod-blue/argocd',
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    // Deleting the root Application must not cascade to every workload.
    expect(root.finalizers).toBeUndefined();
    expect(values(green).applications.root.source.path).toBe('dist/prod-green/argocd');
  });

  it('points the root Application at a folder that holds the Argo CD objects of that cluster', () => {
    const path = values().applications.root.source.path as string;
    const folder = `${path.replace(/^dist\//, '')}/`;
    const files = rendering.files.filter((f) => f.path.startsWith(folder));
    const objects = objectsOf(rendering, 'prod-blue', ARGOCD.component);
    expect(files.length).toBe(objects.length);
    expect(objects.length).toBeGreaterThan(1);
  });

  it("restricts the root's project to Argo CD objects in namespace argocd from this repository", () => {
    const project = values().projects.bootstrap as Values;
    expect(project.sourceRepos).toEqual([prod.gitops.repoURL]);
    expect(project.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }]);
    expect(project.clusterResourceWhitelist).toBeUndefined();
    const allowed = new Set(
      (project.namespaceResourceWhitelist as Values[]).map((k) => `${k.group}/${k.kind}`),
    );
    // Everything the root Application syncs is allowed by its project.
    for (const { object } of objectsOf(rendering, 'prod-blue', ARGOCD.component)) {
      const group = String(object.apiVersion).split('/')[0];
      expect(allowed.has(`${group}/${object.kind}`)).toBe(true);
      expect((object.metadata as Values).namespace).toBe('argocd');
    }
  });

  it("renders, through the argocd-apps chart, objects that validate against Argo CD's schemas", () => {
    for (const stack of [blue, green, stackOf(rendering, 'dev-blue-bootstrap')]) {
      const v = values(stack);
      const objects = [
        ...Object.entries(v.projects as Values).map(([n, e]) => chartObject('AppProject', n, e)),
        ...Object.entries(v.applications as Values).map(([n, e]) => chartObject('Application', n, e)),
      ];
      expect(objects).toHaveLength(2);
      expect(violationsOf(kubernetesSchemaRule, { objects: objects })).toEqual([]);
    }
  });

  it('follows gitops.repoURL and gitops.revision of the config', () => {
    const edited = fixtureConfig('dev', (raw) => {
      raw.gitops = { repoURL: 'git@git.example.com:platform/fork.git', revision: 'release-2026.11' };
    });
    const stack = stackOf(renderConfigs([edited]), 'dev-blue-bootstrap');
    const v = values(stack);
    expect(v.applications.root.source).toEqual({
      repoURL: 'git@git.example.com:platform/fork.git',
      targetRevision: 'release-2026.11',
      path: 'dist/dev-blue/argocd',
    });
    expect(v.projects.bootstrap.sourceRepos).toEqual(['git@git.example.com:platform/fork.git']);
  });

  it('resolves every reference inside its stack and grants no IAM permission', () => {
    const mine = rendering.stacks.filter((s) => s.name.endsWith('-bootstrap'));
    expect(mine).toHaveLength(3);
    expect(violationsOf(terraformReferencesRule, { stacks: mine })).toEqual([]);
    expect(violationsOf(iamWildcardsRule, { stacks: mine })).toEqual([]);
    for (const stack of mine) {
      expect(Object.keys((stack.json.resource ?? {}) as Values)).toEqual(['helm_release']);
    }
  });

  it('rejects a cluster color that would name another stack', () => {
    for (const color of ['live-dns', 'network', 'b-bootstrap']) {
      const edit = (raw: Values) => {
        raw.clusters[1].color = color;
      };
      expect(() => fixtureConfig('prod', edit)).toThrow(ConfigError);
      expect(() => fixtureConfig('prod', edit)).toThrow(
        /clusters\[1\]\.color: must not be network, live-dns or end with -bootstrap/,
      );
    }
  });

  it('rejects an app in namespace argocd, which the Argo CD release owns', () => {
    expect(() =>
      fixtureConfig('prod', (raw) => {
        raw.apps[0].namespace = 'argocd';
      }),
    ).toThrow(/apps\[0\]\.namespace: gives the namespace argocd, which belongs to Argo CD/);
  });
});
