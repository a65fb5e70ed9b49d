/**
 * The add-on catalog: every cluster add-on the platform renders, keyed by one name (`AddonKey`),
 * with what crosses the infra/manifests boundary about it: its dist component, namespace, service
 * account, AWS identity, and the config key that switches it. The other registries are keyed by
 * the same names and typed with `satisfies` (`manifests/addon-charts.ts`: the chart of each
 * add-on; `infra/addon-policies.ts`: the IAM policy of each AWS identity), so adding an entry here
 * does not compile until each of them has the add-on's part. How to add one:
 * docs/addons.md, "Adding an add-on".
 *
 * This module imports only types and the hardware catalog (platform/gpu-node-groups.ts, which
 * imports no config module): `platform/names.ts` derives its IRSA and component tables from it,
 * and `platform/schema.ts` the add-ons' on/off switches.
 */
import { nvidiaNodeGroups } from './gpu-node-groups';
import type { PlatformConfig } from './schema';

/**
 * How an add-on's pods call AWS APIs.
 * - `none`: they do not.
 * - `irsa`: through an IAM role for its service account, named `<cluster>-<role>` by
 *   `irsaRole()` in platform/names.ts and trusted for exactly `system:serviceaccount:<namespace>:<serviceAccount>`
 *   (https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html).
 */
export type AddonIdentity = { readonly kind: 'none' } | { readonly kind: 'irsa'; readonly role: string };

/**
 * What switches an add-on on and off.
 * - `always`: no switch, with the reason.
 * - `enabled`: `addons.<key>.enabled` in config. With `toggle`, the schema builds the key's block
 *   from this catalog (an `enabled` switch, on by default, described by `toggle`); without it, the
 *   add-on has settings of its own, typed in platform/schema.ts under the same key.
 */
export type AddonSwitch =
  | { readonly kind: 'always'; readonly reason: string }
  | { readonly kind: 'enabled'; readonly key: string; readonly toggle?: string };

/**
 * Where the add-on's Argo CD Application stands in the cluster's sync order: `access` (RBAC, which
 * nodes and people need first), then `addons`, then the apps.
 */
export type AddonLayer = 'access' | 'addons';

/**
 * What `appliesTo` reads of a cluster: its node groups' hardware. Structural rather than
 * `ClusterConfig`, whose type the schema derives from this catalog.
 */
export interface AddonClusterFacts {
  readonly nodeGroups: readonly { readonly instanceTypes: readonly string[] }[];
}

export interface AddonDefinition {
  /** The dist component, `dist/<cluster>/<component>/`: the unit Argo CD syncs, and the chart id. */
  readonly component: string;
  /** The namespace of its workload (or, for an add-on without pods, of its namespaced objects). */
  readonly namespace: string;
  /**
   * The ServiceAccount its controller runs as; null for an add-on without pods, or whose pods call
   * no API (they run without a token).
   */
  readonly serviceAccount: string | null;
  readonly identity: AddonIdentity;
  readonly switch: AddonSwitch;
  readonly layer: AddonLayer;
  /**
   * Who installs the add-on's workload and its ServiceAccount: an EKS managed add-on the infra
   * creates (`eks-managed-addon`; EKS annotates the ServiceAccount with the role given as the
   * add-on's service_account_role_arn, and the chart holds only configuration objects), an
   * upstream Helm chart Argo CD installs at an exact version (`helm`; the add-on's chart exposes
   * that release as `helmRelease`, its values annotate the chart's ServiceAccount with the role,
   * and dist/ holds the Application and the add-on's own objects, not the chart's), or dist.
   * @default - dist: the add-on's chart renders its workload and ServiceAccount
   */
  readonly installedBy?: 'eks-managed-addon' | 'helm';
  /**
   * With `installedBy: 'eks-managed-addon'`, the EKS add-on's name (the `addon_name` of its
   * aws_eks_addon, https://docs.aws.amazon.com/eks/latest/userguide/workloads-add-ons-available-eks.html):
   * how the `irsa-role-users` check knows which catalog entry, so which service account, an
   * aws_eks_addon's service_account_role_arn serves.
   */
  readonly eksAddonName?: string;
  /**
   * With `installedBy: 'helm'`, the name of the Argo CD Application (and AppProject) that installs
   * the upstream chart: how the `irsa-role-users` check knows which catalog entry, so which service
   * account, an Application whose Helm values carry a role's ARN serves.
   */
  readonly helmApplication?: string;
  /**
   * The clusters it runs on, when its switch alone does not decide: a node agent for hardware only
   * some clusters have (the NVIDIA device plugin, on clusters with an NVIDIA GPU node group). Read
   * with the switch by `addonRuns`, the one gate of both orchestrators; on a cluster it does not
   * apply to, nothing of it is rendered, not even its Argo CD Application.
   * @default - every cluster of the environment
   */
  readonly appliesTo?: (cluster: AddonClusterFacts) => boolean;
}

/** The add-ons, in the order their charts are added to a cluster. */
export const ADDONS = {
  rbac: {
    component: 'rbac',
    namespace: 'kube-system',
    serviceAccount: null,
    identity: { kind: 'none' },
    switch: {
      kind: 'always',
      reason:
        'the group bindings give `access` its meaning, and in CONFIG_MAP mode nodes cannot join without aws-auth',
    },
    layer: 'access',
  },
  clusterAutoscaler: {
    component: 'cluster-autoscaler',
    namespace: 'kube-system',
    serviceAccount: 'cluster-autoscaler',
    identity: { kind: 'irsa', role: 'cluster-autoscaler' },
    switch: {
      kind: 'enabled',
      key: 'clusterAutoscaler',
      toggle: 'sizes the node groups to the pending pods.',
    },
    layer: 'addons',
  },
  externalDns: {
    component: 'external-dns',
    namespace: 'kube-system',
    serviceAccount: 'external-dns',
    identity: { kind: 'irsa', role: 'external-dns' },
    switch: { kind: 'enabled', key: 'externalDns', toggle: 'publishes the apps dns records in Route 53.' },
    layer: 'addons',
  },
  metricsServer: {
    component: 'metrics-server',
    namespace: 'kube-system',
    serviceAccount: 'metrics-server',
    identity: { kind: 'none' },
    switch: {
      kind: 'enabled',
      key: 'metricsServer',
      toggle: 'the CPU metrics the apps autoscalers read.',
    },
    layer: 'addons',
  },
  ebsCsiDriver: {
    component: 'ebs-csi-driver',
    namespace: 'kube-system',
    // Created by the EKS managed add-on, as the driver's chart names it
    // (https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/v1.64.0/charts/aws-ebs-csi-driver/values.yaml,
    // controller.serviceAccount.name; docs/install.md at v1.64.0).
    serviceAccount: 'ebs-csi-controller-sa',
    identity: { kind: 'irsa', role: 'ebs-csi-driver' },
    // Its settings (reclaim policy) are typed in platform/schema.ts.
    switch: { kind: 'enabled', key: 'ebsCsiDriver' },
    layer: 'addons',
    installedBy: 'eks-managed-addon',
    eksAddonName: 'aws-ebs-csi-driver',
  },
  nvidiaDevicePlugin: {
    component: 'nvidia-device-plugin',
    namespace: 'kube-system',
    // Its pods call no Kubernetes API (no config-manager sidecar): no ServiceAccount, no token.
    serviceAccount: null,
    identity: { kind: 'none' },
    switch: {
      kind: 'enabled',
      key: 'nvidiaDevicePlugin',
      toggle:
        'advertises the GPUs of NVIDIA node groups as nvidia.com/gpu; rendered only on clusters that have such a group.',
    },
    layer: 'addons',
    appliesTo: (cluster) => nvidiaNodeGroups(cluster).length > 0,
  },
  overprovisioning: {
    component: 'overprovisioning',
    namespace: 'overprovisioning',
    // The placeholders run as no account at all (no token mounted); the account is the one of
    // cluster-proportional-autoscaler, which resizes them.
    serviceAccount: 'overprovisioning-autoscaler',
    identity: { kind: 'none' },
    // Its settings (sizes, proportions) are typed in platform/schema.ts.
    switch: { kind: 'enabled', key: 'overprovisioning' },
    layer: 'addons',
  },
  nodeLocalDns: {
    component: 'node-local-dns',
    namespace: 'kube-system',
    // Upstream's ServiceAccount; the cache calls no Kubernetes API, so it mounts no token.
    serviceAccount: 'node-local-dns',
    identity: { kind: 'none' },
    // Off by default, typed in platform/schema.ts: its pods run privileged on every node.
    switch: { kind: 'enabled', key: 'nodeLocalDns' },
    layer: 'addons',
  },
  descheduler: {
    component: 'descheduler',
    namespace: 'kube-system',
    // Upstream's name (kubernetes/base/rbac.yaml at v0.35.1, kubernetes-sigs/descheduler).
    serviceAccount: 'descheduler-sa',
    identity: { kind: 'none' },
    // Off by default, so typed in platform/schema.ts: it evicts running pods (docs/addons.md).
    switch: { kind: 'enabled', key: 'descheduler' },
    layer: 'addons',
  },
  fluentBit: {
    component: 'fluent-bit',
    namespace: 'kube-system',
    // The upstream chart's name for its ServiceAccount (fluent/helm-charts charts/fluent-bit 0.58.1).
    serviceAccount: 'fluent-bit',
    identity: { kind: 'irsa', role: 'fluent-bit' },
    // Off by default, typed in platform/schema.ts (retention): its pods read every pod's logs as
    // root on every node, and CloudWatch Logs ingestion is billed per GB.
    switch: { kind: 'enabled', key: 'fluentBit' },
    layer: 'addons',
  },
  externalSecrets: {
    component: 'external-secrets',
    namespace: 'external-secrets',
    // The chart's controller ServiceAccount for the release `external-secrets`
    // (platform/external-secrets.ts, EXTERNAL_SECRETS_RELEASE).
    serviceAccount: 'external-secrets',
    identity: { kind: 'irsa', role: 'external-secrets' },
    // Off by default, typed in platform/schema.ts (the secret name prefix): it reads secrets.
    switch: { kind: 'enabled', key: 'externalSecrets' },
    layer: 'addons',
    installedBy: 'helm',
    helmApplication: 'external-secrets-operator',
  },
  loadBalancerController: {
    component: 'aws-load-balancer-controller',
    namespace: 'kube-system',
    // The upstream chart's name for its ServiceAccount and Deployment (kubernetes-sigs/aws-load-balancer-controller
    // helm/aws-load-balancer-controller v3.5.0, `fullname` with release name aws-load-balancer-controller).
    serviceAccount: 'aws-load-balancer-controller',
    identity: { kind: 'irsa', role: 'load-balancer-controller' },
    // Off by default, typed in platform/schema.ts: switching it on replaces every app's load
    // balancer (new DNS targets), docs/addons.md "AWS Load Balancer Controller".
    switch: { kind: 'enabled', key: 'loadBalancerController' },
    layer: 'addons',
  },
} as const satisfies Record<string, AddonDefinition>;

export type AddonKey = keyof typeof ADDONS;

/** The keys of the catalog, in its order. */
export const ADDON_KEYS = Object.keys(ADDONS) as AddonKey[];

/** The add-ons whose AWS identity is an IRSA role. */
export type IrsaAddonKey = {
  [K in AddonKey]: (typeof ADDONS)[K]['identity'] extends { kind: 'irsa' } ? K : never;
}[AddonKey];

/** The role part (`<cluster>-<role>`) of each IRSA add-on's role name. */
export type IrsaRoleKey = (typeof ADDONS)[IrsaAddonKey]['identity'] extends infer I
  ? I extends { role: infer R }
    ? R
    : never
  : never;

/**
 * The config keys whose whole block is an `enabled` switch, built by the schema from this catalog.
 */
export type AddonToggleKey = {
  [K in AddonKey]: (typeof ADDONS)[K]['switch'] extends { key: infer C; toggle: string } ? C : never;
}[AddonKey];

/**
 * Whether an add-on runs on the clusters of `config`: the one enable gate of every add-on, read by
 * both the manifests and the infra orchestrators. A definition outside the catalog (a test's) is
 * read the same way; a switch key the config does not hold is a programming error.
 */
export function addonEnabled(
  config: Pick<PlatformConfig, 'addons'>,
  addon: AddonKey | AddonDefinition,
): boolean {
  const { switch: on } = typeof addon === 'string' ? (ADDONS[addon] as AddonDefinition) : addon;
  if (on.kind === 'always') return true;
  const block = (config.addons as Readonly<Record<string, { readonly enabled: boolean } | undefined>>)[
    on.key
  ];
  if (block === undefined) throw new Error(`addons.${on.key}: no such block in the config schema`);
  return block.enabled;
}

/**
 * Whether an add-on runs on one cluster: its switch (`addonEnabled`) and the clusters it applies
 * to (`appliesTo`). The gate of both orchestrators and of the registry tests.
 */
export function addonRuns(
  config: Pick<PlatformConfig, 'addons'>,
  cluster: AddonClusterFacts,
  addon: AddonKey | AddonDefinition,
): boolean {
  const definition = typeof addon === 'string' ? (ADDONS[addon] as AddonDefinition) : addon;
  return addonEnabled(config, definition) && (definition.appliesTo?.(cluster) ?? true);
}
