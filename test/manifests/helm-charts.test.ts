/**
 * `charts:`: any Helm chart as an Argo CD Application per cluster, with an AppProject of its own,
 * an exact version, and optionally an IRSA role whose ARN its values receive.
 */
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { exactChartVersionProblem, IAM_ROLE_ARN_PLACEHOLDER as ROLE_ARN } from '../../platform/helm-charts';
import { ConfigError, parseConfig } from '../../platform/load';
import {
  findObject,
  fixtureConfig,
  fixtureText,
  objectsOf,
  renderConfigs,
  resourcesOf,
  stackOf,
} from '../helpers';

const CILIUM = {
  name: 'cilium',
  repoURL: 'https://helm.cilium.io',
  chart: 'cilium',
  version: '1.18.4',
  namespace: 'kube-system',
  otherNamespaces: ['cilium-secrets'],
  clusters: ['green'],
  clusterResources: [
    { group: '', kind: 'Namespace' },
    { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  ],
  values: { cni: { chainingMode: 'aws-cni', exclusive: false }, routingMode: 'native' },
};

const PODINFO = {
  name: 'podinfo',
  repoURL: 'oci://ghcr.io/stefanprodan/charts',
  chart: 'podinfo',
  version: '6.9.2',
  namespace: 'podinfo',
  namespaceResources: [
    { group: 'apps', kind: 'Deployment' },
    { group: '', kind: 'Service' },
    { group: '', kind: 'ServiceAccount' },
  ],
  iam: {
    serviceAccount: 'podinfo',
    statements: [
      {
        sid: 'ReadReports',
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::prod-reports/*'],
      },
    ],
    managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess'],
  },
  values: {
    serviceAccount: {
      enabled: true,
      name: 'podinfo',
      annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN },
    },
  },
};

function withCharts(...charts: Record<string, unknown>[]) {
  return fixtureConfig('prod', (raw) => {
    raw.charts = charts;
  });
}

function problemOf(chart: Record<string, unknown>): string {
  try {
    withCharts(chart);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the config loaded');
}

describe('charts: the Argo CD Application and its AppProject', () => {
  const rendering = renderConfigs([withCharts(CILIUM, PODINFO)]);

  it('renders a chart only on the clusters it lists, every cluster by default', () => {
    const names = (cluster: string) =>
      objectsOf(rendering, cluster, 'argocd')
        .filter((o) => o.object.kind === 'Application')
        .map((o) => (o.object.metadata as { name: string }).name);
    expect(names('prod-green')).toEqual(expect.arrayContaining(['charts-cilium', 'charts-podinfo']));
    expect(names('prod-blue')).toContain('charts-podinfo');
    expect(names('prod-blue')).not.toContain('charts-cilium');
    expect(() => findObject(rendering, 'prod-blue', 'AppProject', 'charts-cilium')).toThrow(/found 0/);
  });

  it('installs the chart from its repository at the exact version, with its values as valuesObject', () => {
    const app = findObject(rendering, 'prod-green', 'Application', 'charts-cilium', 'argocd');
    expect(app.spec.project).toBe('charts-cilium');
    expect(app.spec.source).toEqual({
      repoURL: 'https://helm.cilium.io',
      chart: 'cilium',
      targetRevision: '1.18.4',
      helm: {
        releaseName: 'cilium',
        valuesObject: { cni: { chainingMode: 'aws-cni', exclusive: false }, routingMode: 'native' },
      },
    });
    expect(app.spec.destination).toEqual({
      server: 'https://kubernetes.default.svc',
      namespace: 'kube-system',
    });
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.metadata.labels['eks-platform.io/layer']).toBe('addons');
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    // kube-system exists: Argo CD must not create it.
    expect(app.spec.syncPolicy.syncOptions).not.toContain('CreateNamespace=true');
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  it('gives the chart an AppProject that allows its repository, its namespace and the kinds it lists, nothing else', () => {
    const project = findObject(rendering, 'prod-green', 'AppProject', 'charts-cilium', 'argocd');
    expect(project.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-3');
    expect(project.spec.sourceRepos).toEqual(['https://helm.cilium.io']);
    expect(project.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'kube-system' },
      { server: 'https://kubernetes.default.svc', namespace: 'cilium-secrets' },
    ]);
    expect(project.spec.clusterResourceWhitelist).toEqual([
      { group: '', kind: 'Namespace' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
    ]);
    expect(project.spec.namespaceResourceWhitelist).toEqual([{ group: '*', kind: '*' }]);
    // The cluster's own project still allows only this repository's dist/.
    const main = findObject(rendering, 'prod-green', 'AppProject', 'prod-green', 'argocd');
    expect(main.spec.sourceRepos).toEqual(['https://git.example.com/platform/eks-platform.git']);
  });

  it('takes an OCI chart as its own artifact, creates its namespace and allows only Namespace and the kinds listed', () => {
    const app = findObject(rendering, 'prod-blue', 'Application', 'charts-podinfo', 'argocd');
    expect(app.spec.source.repoURL).toBe('oci://ghcr.io/stefanprodan/charts/podinfo');
    expect(app.spec.source.path).toBe('.');
    expect(app.spec.source.chart).toBeUndefined();
    expect(app.spec.source.targetRevision).toBe('6.9.2');
    expect(app.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    const project = findObject(rendering, 'prod-blue', 'AppProject', 'charts-podinfo', 'argocd');
    expect(project.spec.sourceRepos).toEqual(['oci://ghcr.io/stefanprodan/charts/podinfo']);
    expect(project.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'podinfo' },
    ]);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    expect(project.spec.namespaceResourceWhitelist).toEqual([
      { group: '', kind: 'Service' },
      { group: '', kind: 'ServiceAccount' },
      { group: 'apps', kind: 'Deployment' },
    ]);
  });

  it("writes each cluster's own role ARN where the values hold the placeholder", () => {
    for (const cluster of ['prod-blue', 'prod-green']) {
      const app = findObject(rendering, cluster, 'Application', 'charts-podinfo', 'argocd');
      expect(app.spec.source.helm.valuesObject.serviceAccount.annotations).toEqual({
        'eks.amazonaws.com/role-arn': `arn:aws:iam::111111111111:role/${cluster}-chart-podinfo`,
      });
    }
  });

  it('creates the IAM role in each cluster stack, trusted for exactly the chart service account, with its policies', () => {
    const stack = stackOf(rendering, 'prod-blue');
    const role = resourcesOf(stack, 'aws_iam_role')['irsa-chart-podinfo'];
    expect(role?.name).toBe('prod-blue-chart-podinfo');
    const documents = (stack.json.data as Record<string, Record<string, any>>).aws_iam_policy_document ?? {};
    const trust = documents['irsa-chart-podinfo-trust'].statement[0];
    expect(trust.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(trust.condition.map((c: { values: string[] }) => c.values)).toEqual([
      ['system:serviceaccount:podinfo:podinfo'],
      ['sts.amazonaws.com'],
    ]);
    expect(documents['irsa-chart-podinfo-permissions'].statement).toEqual([
      {
        sid: 'ReadReports',
        effect: 'Allow',
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::prod-reports/*'],
      },
    ]);
    const attachments = Object.values(resourcesOf(stack, 'aws_iam_role_policy_attachment')).filter(
      (a) => a.policy_arn === 'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess',
    );
    expect(attachments).toHaveLength(1);
    // Cilium asks for no role: no chart role for it on green.
    expect(
      resourcesOf(stackOf(rendering, 'prod-green'), 'aws_iam_role')['irsa-chart-cilium'],
    ).toBeUndefined();
  });

  it('passes every check rule (the Argo CD schemas, iam-wildcards on the chart role, …)', () => {
    const violations = runRules(ALL_RULES, { rendering, configs: [withCharts(CILIUM, PODINFO)] });
    expect(violations.filter((v) => v.exception === undefined)).toEqual([]);
  });
});

describe('charts: the IAM statements under the check rules', () => {
  it('fails iam-wildcards for a mutating action of a chart role on every resource without a condition', () => {
    const wide = {
      ...PODINFO,
      iam: { serviceAccount: 'podinfo', statements: [{ actions: ['s3:PutObject'], resources: ['*'] }] },
    };
    const config = withCharts(wide);
    const rendering = renderConfigs([config]);
    const found = runRules(
      ALL_RULES.filter((r) => r.id === 'iam-wildcards'),
      { rendering, configs: [config] },
    );
    expect(found.map((v) => v.message).join('\n')).toMatch(/s3:PutObject/);
    expect(found.some((v) => v.message.includes('irsa-chart-podinfo'))).toBe(true);
  });
});

describe('charts: what the config refuses', () => {
  it.each(['^1.18.4', '~1.18.0', '*', '1.x', '1.18.x', '>=1.18.0', '1.18', 'latest', '', '1.18.4 || 1.19.0'])(
    'rejects the version %j: only an exact version says what runs',
    (version) => {
      expect(exactChartVersionProblem(version)).toMatch(/must be an exact chart version/);
      expect(problemOf({ ...CILIUM, version })).toContain(
        'prod.yaml: charts[0].version: must be an exact chart version',
      );
    },
  );

  it('accepts exact versions, with a pre-release or a v prefix', () => {
    for (const version of ['1.18.4', 'v2.14.1', '2025.3.1-edge.1', '0.1.0+build.5']) {
      expect(exactChartVersionProblem(version)).toBeUndefined();
    }
  });

  it('rejects a repository that is not https or oci, naming what is allowed', () => {
    expect(problemOf({ ...CILIUM, repoURL: 'http://helm.cilium.io' })).toMatch(
      /charts\[0\]\.repoURL: must be an https:\/\/ Helm repository .* or an OCI registry path/,
    );
  });

  it('rejects a cluster color the environment does not have', () => {
    expect(problemOf({ ...CILIUM, clusters: ['purple'] })).toContain(
      'charts[0].clusters[0]: must be a cluster color: one of blue, green',
    );
  });

  it("rejects the argocd namespace and an app's namespace", () => {
    expect(problemOf({ ...CILIUM, namespace: 'argocd' })).toContain(
      'charts[0].namespace: must not be argocd',
    );
    const app = withCharts().apps[0];
    expect(problemOf({ ...CILIUM, namespace: app?.namespace ?? app?.name })).toContain(
      `charts[0].namespace: must not be the namespace of app ${app?.name}`,
    );
  });

  it('rejects another namespace that is argocd or listed twice', () => {
    expect(problemOf({ ...CILIUM, otherNamespaces: ['argocd'] })).toContain(
      'charts[0].otherNamespaces[0]: must not be argocd',
    );
    expect(problemOf({ ...CILIUM, otherNamespaces: ['kube-system'] })).toContain(
      'charts[0].otherNamespaces[0]: is listed twice',
    );
  });

  it("rejects a name whose AppProject is the cluster's own", () => {
    // An environment named charts has clusters charts-<color>, whose AppProjects are named so.
    const raw = parse(fixtureText('dev')) as Record<string, any>;
    raw.name = 'charts';
    const color = raw.clusters[0].color as string;
    raw.charts = [{ ...CILIUM, clusters: undefined, name: color }];
    expect(() => parseConfig(stringify(raw), 'charts.yaml', 'charts')).toThrow(
      `charts.yaml: charts[0].name: makes the AppProject charts-${color}, the name of cluster ${color}'s own AppProject`,
    );
  });

  it('rejects two entries of the same name', () => {
    expect(() => withCharts(CILIUM, { ...CILIUM, clusters: ['blue'] })).toThrow(
      /charts\[1\]\.name: is used by charts\[0\]/,
    );
  });

  it('rejects an IAM role whose ARN the values never reference, and the placeholder without a role', () => {
    expect(problemOf({ ...PODINFO, values: {} })).toContain(`charts[0].values: must write ${ROLE_ARN}`);
    expect(problemOf({ ...CILIUM, values: { a: ROLE_ARN } })).toContain(
      `charts[0].values: write ${ROLE_ARN} only with iam`,
    );
  });

  it('rejects an IAM role without any policy', () => {
    expect(problemOf({ ...PODINFO, iam: { serviceAccount: 'podinfo' } })).toContain(
      'charts[0].iam: must give statements or managedPolicyArns',
    );
  });

  it('rejects a name that makes an IAM role name longer than 64 characters', () => {
    // prod-blue-chart- is 16 characters: 49 more make 65.
    const name = 'a'.repeat(49);
    expect(problemOf({ ...PODINFO, name })).toContain(
      `charts[0].name: must be shorter: its IAM role prod-blue-chart-${name} has 65 characters, IAM allows 64`,
    );
  });
});
