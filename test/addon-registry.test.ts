/**
 * The add-on contract (issue 15, item 1): the catalog (platform/addons.ts) and the registries keyed
 * by it (manifests/addon-charts.ts, infra/addon-policies.ts). The first part iterates the real
 * registry over the rendered fixtures; the second adds a throw-away add-on through registries built
 * here, rendered by the unchanged orchestrators.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App as Cdk8sApp, Chart } from 'cdk8s';
import { App as CdktfApp } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { RenderedObject, RenderedStack } from '../cli/render';
import { INFRA_ADDONS, type InfraAddon } from '../infra/addon-policies';
import { ClusterStack } from '../infra/stacks/cluster-stack';
import { NetworkStack } from '../infra/stacks/network-stack';
import { type AddonChartProps, MANIFEST_ADDONS, type ManifestAddon } from '../manifests/addon-charts';
import { APPLICATION_WAVES, LAYER_LABEL } from '../manifests/charts/argocd-chart';
import { addClusterCharts } from '../manifests/cluster-charts';
import { addonLabels } from '../manifests/constructs/addon-labels';
import { AddonWorkload } from '../manifests/constructs/addon-workload';
import { IrsaServiceAccount } from '../manifests/constructs/irsa-service-account';
import { NON_ROOT_UID } from '../manifests/constructs/restricted-pod-spec';
import { annotateSyncWaves, SYNC_WAVE_ANNOTATION, SYNC_WAVES } from '../manifests/sync-waves';
import { synthCharts } from '../manifests/synth-charts';
import { ADDON_KEYS, ADDONS, type AddonDefinition, addonEnabled, addonRuns } from '../platform/addons';
import { PAUSE_IMAGE } from '../platform/images';
import {
  ADDON_COMPONENTS,
  addonIrsaRole,
  clusterName,
  IRSA_ADDONS,
  IRSA_AUDIENCE,
  IRSA_ROLE_ANNOTATION,
  stackNames,
} from '../platform/names';
import type { ClusterConfig, PlatformConfig } from '../platform/schema';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from './helpers';
import { type Block, documentOf, one, withoutMetadata } from './infra/stack-json';

type Obj = Record<string, any>;

/** The federated (IRSA) roles of a cluster stack, by logical id. */
function irsaRolesOf(stack: RenderedStack): [string, Block][] {
  return Object.entries(resourcesOf(stack, 'aws_iam_role')).filter(([, role]) =>
    (documentOf(stack, role.assume_role_policy).statement as Block[]).some((s) =>
      (s.principals as Block[] | undefined)?.some((p) => p.type === 'Federated'),
    ),
  );
}

/** The one trust statement of an IRSA role: its `sub` and `aud` conditions. */
function trustOf(stack: RenderedStack, role: Block): { sub: unknown; aud: unknown } {
  const [statement] = documentOf(stack, role.assume_role_policy).statement as Block[];
  const conditions = (statement?.condition ?? []) as Block[];
  const value = (suffix: string) =>
    conditions.filter((c) => String(c.variable).endsWith(suffix)).map((c) => [c.test, c.values]);
  return { sub: value(':sub'), aud: value(':aud') };
}

describe('the add-on registry', () => {
  // A GPU node group on prod's blue cluster only: an add-on that applies to some clusters
  // (`appliesTo`, the NVIDIA device plugin) runs on blue and not on green.
  const prod = fixtureConfig('prod', (raw) => {
    // An add-on its upstream Helm chart installs (`installedBy: 'helm'`).
    raw.addons.externalSecrets = { enabled: true };
    raw.clusters[0].nodeGroups.push({
      name: 'gpu',
      instanceTypes: ['g6.xlarge'],
      minSize: 0,
      maxSize: 2,
      taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
    });
  });
  const dev = fixtureConfig('dev');
  // Every switchable add-on off: only the always-on ones remain.
  const off = fixtureConfig('stage', (raw) => {
    for (const addon of Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>)) {
      if (addon.switch.kind === 'enabled') raw.addons[addon.switch.key] = { enabled: false };
    }
  });
  const configs = [prod, dev, off];
  const rendering = renderConfigs(configs);
  const clusters = configs.flatMap((config) => config.clusters.map((cluster) => ({ config, cluster })));

  it('keys the charts and the AWS policies by exactly the keys of the catalog, in its order', () => {
    expect(MANIFEST_ADDONS.map((a) => a.definition)).toEqual(ADDON_KEYS.map((key) => ADDONS[key]));
    expect(INFRA_ADDONS.map((a) => a.definition)).toEqual(ADDON_KEYS.map((key) => ADDONS[key]));
    // The derived name tables hold the catalog's components and IRSA identities, nothing else.
    expect(Object.values(ADDON_COMPONENTS)).toEqual(ADDON_KEYS.map((key) => ADDONS[key].component));
    const irsa = Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>).filter(
      (a) => a.identity.kind === 'irsa',
    );
    expect(Object.keys(IRSA_ADDONS)).toEqual(
      irsa.map((a) => (a.identity.kind === 'irsa' ? a.identity.role : '')),
    );
    for (const addon of INFRA_ADDONS) {
      expect(addon.policy === null).toBe(addon.definition.identity.kind === 'none');
    }
  });

  it('renders the component of every add-on running on a cluster, and none of a disabled or inapplicable one', () => {
    let enabled = 0;
    let disabled = 0;
    let inapplicable = 0;
    for (const { config, cluster } of clusters) {
      const name = clusterName(config, cluster);
      const components = new Set(rendering.objects.filter((o) => o.cluster === name).map((o) => o.component));
      for (const { definition } of MANIFEST_ADDONS) {
        const on = addonRuns(config, cluster, definition);
        expect(components.has(definition.component), `${name}: ${definition.component}`).toBe(on);
        if (on) enabled++;
        else if (addonEnabled(config, definition)) inapplicable++;
        else disabled++;
      }
    }
    expect(enabled).toBeGreaterThan(0);
    expect(disabled).toBeGreaterThan(0);
    expect(inapplicable).toBeGreaterThan(0);
    // Switched off everywhere, only the add-ons without a switch remain.
    const offComponents = new Set(
      rendering.objects.filter((o) => o.environment === off.name).map((o) => o.component),
    );
    for (const { definition } of MANIFEST_ADDONS) {
      expect(offComponents.has(definition.component)).toBe(definition.switch.kind === 'always');
    }
  });

  it("annotates each enabled add-on's ServiceAccount with exactly its own role, and runs its pods as it", () => {
    let irsa = 0;
    for (const { config, cluster } of clusters) {
      const name = clusterName(config, cluster);
      for (const { definition } of MANIFEST_ADDONS) {
        if (!addonRuns(config, cluster, definition) || definition.serviceAccount === null) continue;
        if (definition.installedBy === 'eks-managed-addon') {
          // EKS creates and annotates the ServiceAccount: the role is the add-on's
          // service_account_role_arn, and dist/ holds no ServiceAccount or pods of it.
          const stack = stackOf(rendering, stackNames.cluster(config, cluster));
          const managed = Object.values(resourcesOf(stack, 'aws_eks_addon')).filter(
            (addon) => addon.service_account_role_arn !== undefined,
          );
          expect(managed.map((addon) => addon.service_account_role_arn)).toContain(
            `\${aws_iam_role.irsa-${definition.identity.kind === 'irsa' ? definition.identity.role : ''}.arn}`,
          );
          expect(
            rendering.objects.filter(
              (o) =>
                o.cluster === name &&
                o.object.kind === 'ServiceAccount' &&
                (o.object as Obj).metadata.name === definition.serviceAccount,
            ),
          ).toEqual([]);
          irsa++;
          continue;
        }
        if (definition.installedBy === 'helm') {
          // The chart creates the ServiceAccount; the role reaches it through the values of the
          // Application that installs the chart into the add-on's namespace. dist/ holds no
          // ServiceAccount of it.
          const role = addonIrsaRole(config, cluster, definition).roleArn;
          const installers = rendering.objects.filter(
            (o) =>
              o.cluster === name &&
              o.object.kind === 'Application' &&
              (o.object as Obj).spec.destination.namespace === definition.namespace &&
              (o.object as Obj).spec.source.helm !== undefined,
          );
          expect(installers, `${name}: ${definition.component}`).toHaveLength(1);
          expect(JSON.stringify((installers[0] as RenderedObject).object)).toContain(
            JSON.stringify({ [IRSA_ROLE_ANNOTATION]: role }),
          );
          expect(
            rendering.objects.filter(
              (o) =>
                o.cluster === name &&
                o.object.kind === 'ServiceAccount' &&
                (o.object as Obj).metadata.namespace === definition.namespace,
            ),
          ).toEqual([]);
          irsa++;
          continue;
        }
        const objects = rendering.objects.filter(
          (o) => o.cluster === name && o.component === definition.component,
        );
        const accounts = objects.filter(
          (o) =>
            o.object.kind === 'ServiceAccount' &&
            (o.object as Obj).metadata.name === definition.serviceAccount &&
            (o.object as Obj).metadata.namespace === definition.namespace,
        );
        expect(accounts, `${name}: ${definition.component}`).toHaveLength(1);
        const account = (accounts[0] as RenderedObject).object as Obj;
        const annotation = account.metadata.annotations?.[IRSA_ROLE_ANNOTATION];
        if (definition.identity.kind === 'irsa') {
          irsa++;
          expect(annotation).toBe(addonIrsaRole(config, cluster, definition).roleArn);
        } else {
          expect(annotation).toBeUndefined();
        }
        const runAs = objects
          .filter((o) => ['Deployment', 'DaemonSet'].includes(String(o.object.kind)))
          .map((o) => (o.object as Obj).spec.template.spec.serviceAccountName);
        expect(runAs).toContain(definition.serviceAccount);
      }
    }
    expect(irsa).toBeGreaterThan(0);
  });

  it('creates a role for exactly the enabled IRSA add-ons, each trusted for exactly its service account', () => {
    for (const { config, cluster } of clusters) {
      const stack = stackOf(rendering, stackNames.cluster(config, cluster));
      const expected = MANIFEST_ADDONS.map((a) => a.definition).filter(
        (d) => d.identity.kind === 'irsa' && addonRuns(config, cluster, d),
      );
      const roles = irsaRolesOf(stack);
      expect(roles.map(([, role]) => role.name).sort()).toEqual(
        expected.map((d) => addonIrsaRole(config, cluster, d).roleName).sort(),
      );
      for (const definition of expected) {
        const names = addonIrsaRole(config, cluster, definition);
        const [, role] = roles.find(([, r]) => r.name === names.roleName) as [string, Block];
        expect(trustOf(stack, role)).toEqual({
          sub: [['StringEquals', [names.subject]]],
          aud: [['StringEquals', [IRSA_AUDIENCE]]],
        });
      }
    }
    // Everything off: no IRSA role at all.
    for (const cluster of off.clusters) {
      expect(irsaRolesOf(stackOf(rendering, stackNames.cluster(off, cluster)))).toEqual([]);
    }
  });

  it("syncs each add-on's Argo CD Application in its layer, before the apps", () => {
    for (const { config, cluster } of clusters) {
      const name = clusterName(config, cluster);
      for (const { definition } of MANIFEST_ADDONS) {
        const application = rendering.objects.find(
          (o) =>
            o.cluster === name &&
            o.object.kind === 'Application' &&
            (o.object as Obj).metadata.name === definition.component,
        )?.object as Obj | undefined;
        // An Application exactly for the add-ons that run here: none for an empty component.
        expect(application !== undefined, `${name}: ${definition.component}`).toBe(
          addonRuns(config, cluster, definition),
        );
        if (application === undefined) continue;
        expect(application.metadata.labels[LAYER_LABEL]).toBe('addons');
        expect(application.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(
          String(APPLICATION_WAVES[definition.layer]),
        );
      }
    }
  });
});

describe('a throw-away add-on added through the registry', () => {
  const THROW_AWAY: AddonDefinition = {
    component: 'throw-away',
    namespace: 'kube-system',
    serviceAccount: 'throw-away',
    identity: { kind: 'irsa', role: 'throw-away' },
    switch: { kind: 'enabled', key: 'throwAway' },
    layer: 'addons',
  };

  /** A node agent: one pod per node, calling AWS through its IRSA role. */
  class ThrowAwayChart extends Chart {
    constructor(scope: Construct, id: string, props: AddonChartProps) {
      super(scope, id, { disableResourceNameHashes: true });
      const role = addonIrsaRole(props.config, props.cluster, THROW_AWAY);
      const labels = addonLabels(THROW_AWAY.component);
      new IrsaServiceAccount(this, 'irsa', { role, labels });
      new AddonWorkload(this, 'agent', {
        controller: { kind: 'DaemonSet' },
        name: THROW_AWAY.component,
        namespace: role.namespace,
        labels,
        serviceAccountName: role.serviceAccount,
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'agent', image: PAUSE_IMAGE }],
      });
      annotateSyncWaves(this);
    }
  }

  const POLICY = [
    { sid: 'ThrowAway', effect: 'Allow', actions: ['ec2:DescribeInstances'], resources: ['*'] },
  ];
  const manifestRegistry: readonly ManifestAddon[] = [
    ...MANIFEST_ADDONS,
    { definition: THROW_AWAY, chart: ThrowAwayChart },
  ];
  const infraRegistry: readonly InfraAddon[] = [
    ...INFRA_ADDONS,
    { definition: THROW_AWAY, policy: () => POLICY },
  ];

  /** The prod fixture with the throw-away add-on's switch, as its own schema block would hold it. */
  const withSwitch = (enabled: boolean): PlatformConfig => {
    const config = fixtureConfig('prod');
    return { ...config, addons: { ...config.addons, throwAway: { enabled } } } as PlatformConfig;
  };
  const on = withSwitch(true);
  const cluster = on.clusters[0] as ClusterConfig;
  const name = clusterName(on, cluster);

  /** The objects of one cluster by component, through the unchanged manifests orchestrator. */
  function manifests(config: PlatformConfig, addons?: readonly ManifestAddon[]): Map<string, Obj[]> {
    const app = new Cdk8sApp();
    addClusterCharts(app, config, cluster, addons);
    return new Map(synthCharts(app).map(({ chart, objects }) => [chart.node.id, objects as Obj[]]));
  }

  /** The cluster stack, through the unchanged infra orchestrator (ClusterStack) and cdktf's synth. */
  function clusterStack(config: PlatformConfig, addons?: readonly InfraAddon[]): RenderedStack {
    const outdir = mkdtempSync(join(tmpdir(), 'eks-platform-addon-'));
    try {
      const app = new CdktfApp({ outdir, stackTraces: false });
      const network = new NetworkStack(app, stackNames.network(config), { config });
      new ClusterStack(app, name, { config, cluster, network, ...(addons ? { addons } : {}) });
      app.synth();
      const json = JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
      return { environment: config.name, name, path: '', json };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  const base = manifests(fixtureConfig('prod'));
  const added = manifests(on, manifestRegistry);
  const switchedOff = manifests(withSwitch(false), manifestRegistry);

  it('renders its DaemonSet with the restricted pod security, and its ServiceAccount with its role', () => {
    const objects = added.get(THROW_AWAY.component) as Obj[];
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'DaemonSet']);
    const [account, daemonSet] = objects as [Obj, Obj];
    expect(account.metadata.annotations[IRSA_ROLE_ANNOTATION]).toBe(
      `arn:aws:iam::${on.account}:role/${name}-throw-away`,
    );
    expect(account.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(SYNC_WAVES.prerequisites));
    expect(daemonSet.metadata).toMatchObject({ name: 'throw-away', namespace: 'kube-system' });
    expect(daemonSet.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(SYNC_WAVES.workloads));
    expect(daemonSet.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'throw-away' });
    const pod = daemonSet.spec.template.spec;
    expect(pod.serviceAccountName).toBe('throw-away');
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: NON_ROOT_UID,
      runAsGroup: NON_ROOT_UID,
      fsGroup: NON_ROOT_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // A DaemonSet runs where its tolerations allow: no preference for essential nodes.
    expect(pod.affinity).toBeUndefined();
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('gets an Argo CD Application in the add-on layer and a project that allows its kinds', () => {
    const argocd = added.get('argocd') as Obj[];
    const application = argocd.find(
      (o) => o.kind === 'Application' && o.metadata.name === 'throw-away',
    ) as Obj;
    expect(application.metadata.labels[LAYER_LABEL]).toBe('addons');
    expect(application.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(APPLICATION_WAVES.addons));
    expect(application.spec.source.path).toBe(`dist/${name}/throw-away`);
    const project = argocd.find((o) => o.kind === 'AppProject') as Obj;
    expect(project.spec.namespaceResourceWhitelist).toContainEqual({ group: 'apps', kind: 'DaemonSet' });
    // Nothing else of the Argo CD component changed.
    const others = (objects: Obj[]) =>
      objects.filter((o) => o.kind !== 'AppProject' && o.metadata.name !== 'throw-away');
    expect(others(argocd)).toEqual(others(base.get('argocd') as Obj[]));
  });

  it('leaves every other component exactly as the real registry renders it', () => {
    expect([...added.keys()].filter((c) => c !== 'throw-away')).toEqual([...base.keys()]);
    for (const [component, objects] of base) {
      if (component !== 'argocd') expect(added.get(component), component).toEqual(objects);
    }
  });

  it('renders nothing, not even an Application, when its switch is off', () => {
    expect(switchedOff).toEqual(base);
  });

  it('gets its IRSA role in the cluster stack, trusted for exactly its service account', () => {
    const before = clusterStack(fixtureConfig('prod'));
    const after = clusterStack(on, infraRegistry);
    const role = one(resourcesOf(after, 'aws_iam_role'), 'irsa-throw-away');
    expect(role.name).toBe(`${name}-throw-away`);
    expect(trustOf(after, role)).toEqual({
      sub: [['StringEquals', ['system:serviceaccount:kube-system:throw-away']]],
      aud: [['StringEquals', [IRSA_AUDIENCE]]],
    });
    const policy = one(resourcesOf(after, 'aws_iam_role_policy'), 'irsa-throw-away-permissions');
    expect(documentOf(after, policy.policy).statement).toEqual(POLICY);
    // The other add-ons' roles and every other resource are unchanged.
    const withoutThrowAway = (stack: RenderedStack) =>
      withoutMetadata(
        // Its role, trust and permission documents and inline policy: `irsa-throw-away[-…]`.
        JSON.parse(JSON.stringify(stack.json), (key, value) =>
          key.startsWith('irsa-throw-away') ? undefined : value,
        ),
      );
    expect(withoutThrowAway(after)).toEqual(withoutThrowAway(before));
    // Switched off: no role.
    const offStack = clusterStack(withSwitch(false), infraRegistry);
    expect(withoutMetadata(offStack.json)).toEqual(withoutMetadata(before.json));
  });

  it('fails to render an IRSA add-on whose registry entry has no policy', () => {
    const noPolicy: readonly InfraAddon[] = [...INFRA_ADDONS, { definition: THROW_AWAY, policy: null }];
    expect(() => clusterStack(on, noPolicy)).toThrow(
      'add-on throw-away: an IRSA identity needs a policy in the infra registry',
    );
  });

  it('names no add-on in the orchestrators, which only loop over the registry', () => {
    const sources = [
      'manifests/cluster-charts.ts',
      'infra/stacks/cluster-stack.ts',
      'infra/constructs/addon-irsa-roles.ts',
    ];
    const names = ADDON_KEYS.flatMap((key) => {
      const addon = ADDONS[key] as AddonDefinition;
      return [key, addon.component, ...(addon.identity.kind === 'irsa' ? [addon.identity.role] : [])];
    });
    for (const source of sources) {
      const text = readFileSync(join(__dirname, '..', source), 'utf8');
      for (const addonName of new Set(names)) {
        expect(new RegExp(`\\b${addonName}\\b`).test(text), `${source} names ${addonName}`).toBe(false);
      }
    }
  });
});
