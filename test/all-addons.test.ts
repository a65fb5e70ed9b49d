/**
 * Issue 15, first acceptance criterion: an environment enabling every add-on of the catalog (read
 * from platform/addons.ts, so an add-on added later is enabled and asserted here without editing
 * this file), with an NVIDIA GPU node group and a `charts:` entry with an IAM identity, renders and
 * passes every check rule; each add-on's objects or Application are in dist/, and each AWS identity
 * is scoped and trusted for exactly its service account.
 */
import { describe, expect, it } from 'vitest';
import type { Rendering } from '../cli/render';
import { ALL_RULES, runRules } from '../cli/rules/all-rules';
import { kubernetesSchemaRule } from '../cli/rules/kubernetes-schema';
import { podTemplates } from '../cli/rules/pod-templates';
import { schedulingRule } from '../cli/rules/scheduling';
import { ADDON_KEYS, ADDONS, type AddonDefinition, type AddonKey, addonRuns } from '../platform/addons';
import { IAM_ROLE_ARN_PLACEHOLDER } from '../platform/helm-charts';
import {
  addonIrsaRole,
  chartIrsaRole,
  clusterName,
  IRSA_AUDIENCE,
  IRSA_ROLE_ANNOTATION,
  stackNames,
} from '../platform/names';
import type { PlatformConfig } from '../platform/schema';
import { findObject, fixtureConfig, renderConfigs, resourcesOf, stackOf } from './helpers';
import { type Block, documentOf } from './infra/stack-json';

type Obj = Record<string, any>;

/** The config keys of the add-ons switched by `addons.<key>.enabled`. */
type SwitchKey = {
  [K in AddonKey]: (typeof ADDONS)[K]['switch'] extends { kind: 'enabled'; key: infer C } ? C : never;
}[AddonKey];

/**
 * Settings an add-on needs besides `enabled: true` to be valid when on (none so far: every block
 * has defaults). Typed by the switch keys, so an entry for a key the catalog does not switch does
 * not compile.
 */
const SETTINGS_WHEN_ON: { readonly [K in SwitchKey]?: Readonly<Record<string, unknown>> } = {};

/** A chart with an IAM identity: its values give the role's ARN to the ServiceAccount the chart creates. */
const REPORTS = {
  name: 'reports',
  repoURL: 'oci://ghcr.io/stefanprodan/charts',
  chart: 'podinfo',
  version: '6.9.2',
  namespace: 'reports',
  namespaceResources: [
    { group: 'apps', kind: 'Deployment' },
    { group: '', kind: 'Service' },
    { group: '', kind: 'ServiceAccount' },
  ],
  iam: {
    serviceAccount: 'reports-reader',
    statements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::prod-reports/*'] }],
  },
  values: {
    serviceAccount: {
      enabled: true,
      name: 'reports-reader',
      annotations: { [IRSA_ROLE_ANNOTATION]: IAM_ROLE_ARN_PLACEHOLDER },
    },
  },
};

const DEFINITIONS = ADDON_KEYS.map((key) => [key, ADDONS[key] as AddonDefinition] as const);

/** prod with every switch of the catalog on, an NVIDIA GPU node group on each cluster, and the chart. */
const config: PlatformConfig = fixtureConfig('prod', (raw) => {
  raw.addons ??= {};
  for (const [, addon] of DEFINITIONS) {
    if (addon.switch.kind !== 'enabled') continue;
    const key = addon.switch.key as SwitchKey;
    raw.addons[key] = { ...raw.addons[key], ...SETTINGS_WHEN_ON[key], enabled: true };
  }
  for (const cluster of raw.clusters) {
    cluster.nodeGroups.push({
      name: 'gpu',
      instanceTypes: ['g6.xlarge'],
      minSize: 0,
      maxSize: 2,
      labels: { accelerator: 'nvidia-l4' },
      taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
    });
  }
  raw.charts = [REPORTS];
});
const rendering: Rendering = renderConfigs([config]);
const clusters = config.clusters.map((cluster) => ({ cluster, name: clusterName(config, cluster) }));
const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'];

/** A deep copy of the render, changed by `edit`. */
function broken(edit: (r: Rendering) => void): Rendering {
  const copy: Rendering = {
    ...structuredClone({ objects: rendering.objects, stacks: rendering.stacks }),
    files: [],
  };
  edit(copy);
  return copy;
}

/** The IRSA roles of a stack (trust allows sts:AssumeRoleWithWebIdentity), by name. */
function irsaRoles(stackName: string): Map<string, { id: string; role: Block }> {
  const stack = stackOf(rendering, stackName);
  return new Map(
    Object.entries(resourcesOf(stack, 'aws_iam_role'))
      .filter(([, role]) =>
        (documentOf(stack, role.assume_role_policy).statement as Block[]).some((s) =>
          (s.actions as string[]).includes('sts:AssumeRoleWithWebIdentity'),
        ),
      )
      .map(([id, role]) => [role.name as string, { id, role }]),
  );
}

describe('an environment with every add-on of the catalog, a GPU node group and a chart with an IAM identity', () => {
  it('runs every add-on of the catalog on every cluster', () => {
    for (const { cluster, name } of clusters) {
      for (const [key, addon] of DEFINITIONS) {
        expect(
          addonRuns(config, cluster, addon),
          `${name}: ${key} does not run; give the test environment what it needs`,
        ).toBe(true);
      }
    }
  });

  it('renders and passes every check rule: every finding is an exception recorded with its reason where it is made', () => {
    const violations = runRules(ALL_RULES, { rendering, configs: [config] });
    expect(violations.filter((v) => v.exception === undefined)).toEqual([]);
    // The exceptions are the add-ons' documented ones (node agents that run as root…), each with
    // its reason; none is about an AWS identity.
    expect(violations.length).toBeGreaterThan(0);
    const identityRules = new Set(['irsa', 'irsa-role-users', 'iam-wildcards']);
    expect(violations.filter((v) => identityRules.has(v.rule))).toEqual([]);
  });

  it("renders each add-on's component with its workload, or its EKS managed add-on, and its Argo CD Application", () => {
    for (const { cluster, name } of clusters) {
      const stack = stackOf(rendering, stackNames.cluster(config, cluster));
      for (const [key, addon] of DEFINITIONS) {
        const label = `${name}: ${key}`;
        const objects = rendering.objects.filter(
          (o) => o.cluster === name && o.component === addon.component,
        );
        expect(objects.length, `${label}: dist/${name}/${addon.component}/`).toBeGreaterThan(0);
        const application = findObject(rendering, name, 'Application', addon.component, 'argocd');
        expect(application.spec.source.path, label).toMatch(new RegExp(`/${name}/${addon.component}$`));
        if (addon.installedBy === 'eks-managed-addon') {
          // EKS installs the workload: the stack's aws_eks_addon of that name, given the add-on's role.
          const managed = Object.values(resourcesOf(stack, 'aws_eks_addon')).filter(
            (a) => a.addon_name === addon.eksAddonName,
          );
          expect(managed, label).toHaveLength(1);
          if (addon.identity.kind === 'irsa') {
            const { id } = irsaRoles(stack.name).get(addonIrsaRole(config, cluster, addon).roleName) ?? {};
            expect(managed[0]?.service_account_role_arn, label).toBe(`\${aws_iam_role.${id}.arn}`);
          }
          continue;
        }
        if (addon.installedBy === 'helm') {
          // Argo CD installs the upstream chart: its Application, at an exact version, into the
          // add-on's namespace, whose values hand the add-on's role to the catalog's ServiceAccount.
          const release = findObject(
            rendering,
            name,
            'Application',
            addon.helmApplication as string,
            'argocd',
          );
          expect(release.spec.source.targetRevision, label).toMatch(/^\d+\.\d+\.\d+$/);
          expect(release.spec.destination.namespace, label).toBe(addon.namespace);
          if (addon.identity.kind === 'irsa') {
            const { roleArn } = addonIrsaRole(config, cluster, addon);
            expect(JSON.stringify(release.spec.source.helm), label).toContain(roleArn);
          }
          continue;
        }
        const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(String(o.object.kind)));
        if (addon.serviceAccount === null) {
          // No ServiceAccount: a workload that runs without a token (the device plugin), or no pods (RBAC).
          for (const w of workloads)
            expect((w.object as Obj).spec.template.spec.automountServiceAccountToken, label).toBe(false);
          continue;
        }
        const runAs = workloads.map((w) => (w.object as Obj).spec.template.spec.serviceAccountName);
        expect(runAs, label).toContain(addon.serviceAccount);
        findObject(rendering, name, 'ServiceAccount', addon.serviceAccount, addon.namespace);
      }
      const chart = findObject(rendering, name, 'Application', 'charts-reports', 'argocd');
      expect(chart.spec.source).toMatchObject({
        repoURL: 'oci://ghcr.io/stefanprodan/charts/podinfo',
        targetRevision: '6.9.2',
      });
      expect(chart.spec.destination.namespace).toBe('reports');
      expect(findObject(rendering, name, 'AppProject', 'charts-reports', 'argocd').spec.sourceRepos).toEqual([
        'oci://ghcr.io/stefanprodan/charts/podinfo',
      ]);
    }
  });

  it('gives each AWS identity its own role, trusted for exactly its service account and holding a policy, and no other IRSA role', () => {
    for (const { cluster, name } of clusters) {
      const stack = stackOf(rendering, stackNames.cluster(config, cluster));
      const roles = irsaRoles(stack.name);
      const expected = [
        ...DEFINITIONS.filter(([, a]) => a.identity.kind === 'irsa').map(([, a]) =>
          addonIrsaRole(config, cluster, a),
        ),
        ...config.charts.flatMap((chart) =>
          chart.iam === undefined ? [] : [chartIrsaRole(config, cluster, { ...chart, iam: chart.iam })],
        ),
      ];
      expect([...roles.keys()].sort(), name).toEqual(expected.map((r) => r.roleName).sort());
      for (const identity of expected) {
        const { id, role } = roles.get(identity.roleName) as { id: string; role: Block };
        const [statement, ...others] = documentOf(stack, role.assume_role_policy).statement as Block[];
        expect(others, identity.roleName).toEqual([]);
        expect(statement?.condition, identity.roleName).toEqual([
          expect.objectContaining({
            test: 'StringEquals',
            variable: expect.stringMatching(/:sub$/),
            values: [identity.subject],
          }),
          expect.objectContaining({
            test: 'StringEquals',
            variable: expect.stringMatching(/:aud$/),
            values: [IRSA_AUDIENCE],
          }),
        ]);
        // Scoped: an inline policy of its own (what it may do is checked by iam-wildcards above).
        const inline = Object.values(resourcesOf(stack, 'aws_iam_role_policy')).filter(
          (p) => p.role === `\${aws_iam_role.${id}.name}`,
        );
        const attached = Object.values(resourcesOf(stack, 'aws_iam_role_policy_attachment')).filter(
          (p) => p.role === `\${aws_iam_role.${id}.name}`,
        );
        expect(inline.length + attached.length, identity.roleName).toBeGreaterThan(0);
        for (const policy of inline) {
          expect(documentOf(stack, policy.policy).statement.length, identity.roleName).toBeGreaterThan(0);
        }
      }
    }
  });

  it('validates every kind it renders against a schema: a broken StorageClass fails k8s-schema', () => {
    const kinds = new Set(
      rendering.objects.map((o) => `${String(o.object.apiVersion)} ${String(o.object.kind)}`),
    );
    expect(kinds).toContain('storage.k8s.io/v1 StorageClass');
    expect(kinds).toContain('apps/v1 DaemonSet');
    const r = broken((x) => {
      const storageClass = findObject(x, 'prod-blue', 'StorageClass', 'gp3');
      storageClass.allowVolumeExpansion = 'yes';
    });
    expect(runRules([kubernetesSchemaRule], { rendering: r, configs: [config] }).map((v) => v.file)).toEqual([
      'prod-blue/ebs-csi-driver/storageclass.storage.k8s.io_gp3.yaml',
    ]);
  });

  it("checks the add-ons' DaemonSets with scheduling: one that tolerates no taint of the GPU group it selects fails", () => {
    const daemonSets = podTemplates(rendering.objects).filter((p) => p.source.object.kind === 'DaemonSet');
    expect(new Set(daemonSets.map((p) => p.source.component)).size).toBeGreaterThan(1);
    const r = broken((x) => {
      const plugin = findObject(
        x,
        'prod-blue',
        'DaemonSet',
        ADDONS.nvidiaDevicePlugin.component,
        ADDONS.nvidiaDevicePlugin.namespace,
      );
      plugin.spec.template.spec.tolerations = [];
    });
    const violations = runRules([schedulingRule], { rendering: r, configs: [config] });
    expect(violations.map((v) => v.file)).toEqual([
      'prod-blue/nvidia-device-plugin/daemonset.apps_kube-system_nvidia-device-plugin.yaml',
    ]);
    expect(violations[0]?.message).toMatch(/^DaemonSet targets no node group of prod-blue/);
  });
});
