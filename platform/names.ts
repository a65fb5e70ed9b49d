/**
 * Every name that crosses the infra/manifests boundary (DESIGN §5), computed from config alone:
 * nothing is looked up from AWS or Terraform state at synth time. infra/ and manifests/ both
 * import this module, so a cluster name, a role ARN, a node label or a DNS name cannot differ
 * between the Terraform JSON and the Kubernetes YAML.
 */
import { createHash } from 'node:crypto';
import { ADDONS, type AddonDefinition, type AddonKey, type IrsaRoleKey } from './addons';
import { nodeGroupHardware } from './instance-types';
import type { AppConfig, ClusterConfig, HelmChartConfig, NodeGroupConfig, PlatformConfig } from './schema';

/** `<environment>-<color>`, e.g. prod-blue. */
export function clusterName(
  config: Pick<PlatformConfig, 'name'>,
  cluster: Pick<ClusterConfig, 'color'>,
): string {
  return `${config.name}-${cluster.color}`;
}

/**
 * The `Name` tag of the environment's VPC, `<environment>-vpc`: the network stack sets it, and the
 * AWS Load Balancer Controller finds the VPC by it (`--aws-vpc-tags`), since the VPC ID is only
 * known once Terraform has created it.
 */
export function vpcName(config: Pick<PlatformConfig, 'name'>): string {
  return `${config.name}-vpc`;
}

/** Terraform stacks: the environment's network, then one stack per cluster (blue and green apart). */
export const stackNames = {
  network: (config: Pick<PlatformConfig, 'name'>) => `${config.name}-network`,
  cluster: (config: Pick<PlatformConfig, 'name'>, cluster: Pick<ClusterConfig, 'color'>) =>
    clusterName(config, cluster),
  /** Argo CD and the root Application of a cluster, `<cluster>-bootstrap`. */
  bootstrap: (config: Pick<PlatformConfig, 'name'>, cluster: Pick<ClusterConfig, 'color'>) =>
    `${clusterName(config, cluster)}-bootstrap`,
  /** The DNS records that follow `live` (seed 001's kubeconfig wrapper), `<env>-live-dns`. */
  liveDns: (config: Pick<PlatformConfig, 'name'>) => `${config.name}-live-dns`,
} as const;

/**
 * The add-ons that call AWS APIs, each through its own IRSA role and Kubernetes service account,
 * keyed by the role part of the role name; derived from the add-on catalog (platform/addons.ts).
 */
export const IRSA_ADDONS = Object.fromEntries(
  Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>).flatMap((addon) =>
    addon.identity.kind === 'irsa' && addon.serviceAccount !== null
      ? [[addon.identity.role, { namespace: addon.namespace, serviceAccount: addon.serviceAccount }]]
      : [],
  ),
) as { readonly [R in IrsaRoleKey]: { readonly namespace: string; readonly serviceAccount: string } };

export type IrsaAddon = keyof typeof IRSA_ADDONS;

export interface IrsaRole {
  /** IAM role name `<cluster>-<addon>`. */
  readonly roleName: string;
  readonly roleArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The `sub` claim the role trusts: `system:serviceaccount:<namespace>:<name>`. */
  readonly subject: string;
}

export function irsaRole(
  config: PlatformConfig,
  cluster: Pick<ClusterConfig, 'color'>,
  addon: IrsaAddon,
): IrsaRole {
  const { namespace, serviceAccount } = IRSA_ADDONS[addon];
  return irsaRoleNamed(config, cluster, addon, namespace, serviceAccount);
}

/**
 * The IRSA role of an add-on definition, catalogued or not (a test's): the one path from an
 * add-on's identity to its role name, so the role the infra stack creates and the ARN its
 * ServiceAccount carries cannot differ. Throws for an add-on without an IRSA identity.
 */
export function addonIrsaRole(
  config: PlatformConfig,
  cluster: Pick<ClusterConfig, 'color'>,
  addon: AddonDefinition,
): IrsaRole {
  if (addon.identity.kind !== 'irsa' || addon.serviceAccount === null) {
    throw new Error(`add-on ${addon.component} has no IRSA role and service account`);
  }
  return irsaRoleNamed(config, cluster, addon.identity.role, addon.namespace, addon.serviceAccount);
}

function irsaRoleNamed(
  config: PlatformConfig,
  cluster: Pick<ClusterConfig, 'color'>,
  role: string,
  namespace: string,
  serviceAccount: string,
): IrsaRole {
  const roleName = `${clusterName(config, cluster)}-${role}`;
  return {
    roleName,
    roleArn: `arn:aws:iam::${config.account}:role/${roleName}`,
    namespace,
    serviceAccount,
    subject: `system:serviceaccount:${namespace}:${serviceAccount}`,
  };
}

/** The IAM role of a cluster's nodes, `<cluster>-node`: the node role mapped in aws-auth in CONFIG_MAP mode. */
export function nodeRole(config: PlatformConfig, cluster: Pick<ClusterConfig, 'color'>) {
  const roleName = `${clusterName(config, cluster)}-node`;
  return { roleName, roleArn: `arn:aws:iam::${config.account}:role/${roleName}` } as const;
}

/** The IAM role the EKS control plane assumes, `<cluster>-cluster`. */
export function clusterRoleName(config: PlatformConfig, cluster: Pick<ClusterConfig, 'color'>): string {
  return `${clusterName(config, cluster)}-cluster`;
}

/**
 * The Auto Scaling group tags of cluster-autoscaler's auto-discovery (seed 000's
 * `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster>`).
 * EKS puts both on the groups of managed node groups, and the IRSA policy only lets
 * cluster-autoscaler scale groups that carry both.
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup
 */
export function clusterAutoscalerTags(cluster: string) {
  return {
    enabled: { key: 'k8s.io/cluster-autoscaler/enabled', value: 'true' },
    owner: { key: `k8s.io/cluster-autoscaler/${cluster}`, value: 'owned' },
  } as const;
}

/**
 * The Auto Scaling group tag prefixes that tell cluster-autoscaler the labels and taints of a
 * node group it scales up from zero: `<prefix><label or taint key>`.
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup
 */
export const NODE_TEMPLATE_LABEL_TAG_PREFIX = 'k8s.io/cluster-autoscaler/node-template/label/';
export const NODE_TEMPLATE_TAINT_TAG_PREFIX = 'k8s.io/cluster-autoscaler/node-template/taint/';
/** `<prefix><extended resource>` = device count, e.g. `…/resources/nvidia.com/gpu` = `8`. */
export const NODE_TEMPLATE_RESOURCES_TAG_PREFIX = 'k8s.io/cluster-autoscaler/node-template/resources/';

/**
 * The ServiceAccount annotation that names the IAM role its pods assume (IRSA): written by the
 * add-on charts, checked against the Terraform JSON by the `irsa` rule of `npm run check`.
 * https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
 */
export const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** The audience EKS pod identity webhooks request for IRSA tokens. */
export const IRSA_AUDIENCE = 'sts.amazonaws.com';

/**
 * Node label saying whether a node may be stopped or reclaimed (seed 000). The seed used
 * `kubernetes.io/lifecycle`, but the EKS managed node group API rejects label keys containing
 * `kubernetes.io/`, `k8s.io/` or `eks.amazonaws.com/`, and kubelet refuses them since 1.16
 * (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction),
 * so the platform uses an unprefixed key.
 */
export const LIFECYCLE_LABEL = 'lifecycle';
/** Node label naming the node group's purpose; defaults to the node group name. */
export const NODE_PURPOSE_LABEL = 'node-purpose';
/** Set by EKS on every managed node; useful for debugging, never for scheduling. */
export const EKS_NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Kubernetes taint effects as the EKS node group API spells them (API_Taint). */
export const EKS_TAINT_EFFECTS = {
  NoSchedule: 'NO_SCHEDULE',
  PreferNoSchedule: 'PREFER_NO_SCHEDULE',
  NoExecute: 'NO_EXECUTE',
} as const;
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** The Kubernetes labels every node of a group carries. */
export function nodeLabels(group: NodeGroupConfig): Record<string, string> {
  return { [LIFECYCLE_LABEL]: group.lifecycle, [NODE_PURPOSE_LABEL]: group.name, ...group.labels };
}

/** The zones a node group spans: its own subset, or every zone of the network. */
export function nodeGroupZones(config: PlatformConfig, group: NodeGroupConfig): readonly string[] {
  return group.availabilityZones.length > 0 ? group.availabilityZones : config.network.availabilityZones;
}

/**
 * The EKS managed node groups of a config node group, before naming: one per zone (key
 * `<group>-<zone letter>`) when perAz, else one spanning its zones (key `<group>`). The key is the
 * Terraform logical id (the contract with the state) and the stable part of the EKS name,
 * `<cluster>-<key>`.
 */
export function managedNodeGroupKeys(
  config: PlatformConfig,
  cluster: ClusterConfig,
  group: NodeGroupConfig,
): readonly { readonly key: string; readonly base: string; readonly zones: readonly string[] }[] {
  const cluster_ = clusterName(config, cluster);
  const zones = nodeGroupZones(config, group);
  const keys = group.perAz
    ? zones.map((zone) => ({ key: `${group.name}-${zone.slice(-1)}`, zones: [zone] }))
    : [{ key: group.name, zones }];
  return keys.map((k) => ({ ...k, base: `${cluster_}-${k.key}` }));
}

/** Length of the replacement suffix of managed node group names: `-` and 8 hex digits. */
export const NODE_GROUP_SUFFIX_LENGTH = 9;

/**
 * The EKS managed node groups of a config node group, named `<cluster>-<key>-<8 hex digits>`
 * (`prod-blue-spot-a-1f2e3d4c`). The suffix is a digest of the attributes whose change makes
 * Terraform replace an aws_eks_node_group (ami_type, capacity_type, instance_types, subnet_ids:
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_node_group,
 * ForceNew in the provider schema), so the name changes exactly when the group is replaced. The
 * node groups are created before they are destroyed (as terraform-aws-eks v21 does with
 * node_group_name_prefix), and EKS node group names are unique per cluster: the replacement
 * needs a new name while the old group still runs. A digest, unlike the random suffix of
 * node_group_name_prefix, keeps the names in dist/ predictable and reviewable, and leaves an
 * update in place (sizes, labels, taints, versions) under the same name.
 */
export function managedNodeGroups(
  config: PlatformConfig,
  cluster: ClusterConfig,
  group: NodeGroupConfig,
): readonly { readonly name: string; readonly key: string; readonly zones: readonly string[] }[] {
  const { amiType } = nodeGroupHardware(group.instanceTypes);
  return managedNodeGroupKeys(config, cluster, group).map(({ key, base, zones }) => {
    const replacedBy = {
      amiType,
      capacityType: group.capacityType,
      instanceTypes: group.instanceTypes,
      zones,
    };
    const digest = createHash('sha256').update(JSON.stringify(replacedBy)).digest('hex');
    return { name: `${base}-${digest.slice(0, NODE_GROUP_SUFFIX_LENGTH - 1)}`, key, zones };
  });
}

/** The DNS names of a cluster (seed 001): per-cluster zones under `eks-<color>`, live names at the apex. */
export function clusterDnsZones(config: PlatformConfig, cluster: Pick<ClusterConfig, 'color'>) {
  return {
    private: `eks-${cluster.color}.${config.dns.private.zone}`,
    public: `eks-${cluster.color}.${config.dns.public.zone}`,
  } as const;
}

/**
 * The Service annotations that carry an app's record names (seed 001): each external-dns instance
 * selects Services with `--annotation-filter=<key>` and names the record with
 * `--fqdn-template={{ .Annotations.<key> }}.<zone>`.
 */
export const DNS_NAME_ANNOTATIONS = { private: 'PrivateDNSName', public: 'PublicDNSName' } as const;

/**
 * The four external-dns instances of a cluster (seed 001). `external-dns-<zone>` publish under the
 * cluster's own `eks-<color>` names with a TXT owner id unique to the cluster and zone;
 * `live-external-dns-<zone>` publish at the zone apex with an owner id shared by every cluster of
 * the environment, so the cluster that becomes live takes over the records the previous one wrote.
 * Only the live cluster runs the live instances.
 */
export function externalDnsInstances(config: PlatformConfig, cluster: Pick<ClusterConfig, 'color'>) {
  const own = clusterDnsZones(config, cluster);
  return (['private', 'public'] as const).flatMap((visibility) => {
    const { zone, zoneId } = config.dns[visibility];
    const instance = { visibility, zone, zoneId, annotation: DNS_NAME_ANNOTATIONS[visibility] };
    return [
      {
        ...instance,
        name: `external-dns-${visibility}`,
        live: false,
        recordDomain: own[visibility],
        txtOwnerId: `ingress-${own[visibility]}`,
      },
      {
        ...instance,
        name: `live-external-dns-${visibility}`,
        live: true,
        recordDomain: zone,
        txtOwnerId: `ingress.${zone}`,
      },
    ] as const;
  });
}

/** The dist/ components (the units Argo CD syncs) of the cluster add-ons, from the add-on catalog. */
export const ADDON_COMPONENTS = Object.fromEntries(
  Object.entries(ADDONS).map(([key, addon]) => [key, addon.component]),
) as { readonly [K in AddonKey]: (typeof ADDONS)[K]['component'] };

/**
 * The EBS CSI driver: the EKS managed add-on that runs it, the CSI provisioner name its
 * StorageClasses use (https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/v1.64.0/docs/parameters.md),
 * and the platform's default StorageClass.
 */
export const EBS_CSI_DRIVER = {
  addonName: ADDONS.ebsCsiDriver.eksAddonName,
  provisioner: 'ebs.csi.aws.com',
  storageClass: 'gp3',
} as const;

/**
 * The CloudWatch Logs group Fluent Bit writes a cluster's container logs to (`addons.fluentBit`),
 * beside the `/aws/eks/<cluster>/cluster` group EKS writes control-plane logs to. The infra creates
 * it (retention, key); the chart names it, and Fluent Bit never creates it (`auto_create_group Off`).
 */
export function containerLogGroupName(cluster: string): string {
  return `/aws/eks/${cluster}/containers`;
}

/**
 * The KMS key that encrypts a cluster's EBS volumes, named by its alias `alias/eks/<cluster>/ebs`:
 * the infra creates key and alias, the StorageClass names the key by its alias ARN, which is known
 * from config alone (a key ARN holds a random key id). EC2 CreateVolume accepts an alias ARN as
 * KmsKeyId (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html).
 */
export function ebsVolumeKeyAlias(
  config: Pick<PlatformConfig, 'name' | 'account' | 'region'>,
  cluster: Pick<ClusterConfig, 'color'>,
) {
  const name = `alias/eks/${clusterName(config, cluster)}/ebs`;
  return { name, arn: `arn:aws:kms:${config.region}:${config.account}:${name}` } as const;
}

/** The overprovisioning add-on (seed 001): its namespace and the PriorityClass of its placeholder pods. */
export const OVERPROVISIONING = {
  namespace: ADDONS.overprovisioning.namespace,
  priorityClass: 'overprovisioning',
} as const;

/** The namespace an app runs in. */
export function appNamespace(app: AppConfig): string {
  return app.namespace ?? app.name;
}

/** The colors of the clusters an app runs on. */
export function appClusters(config: PlatformConfig, app: AppConfig): readonly string[] {
  return app.clusters ?? config.clusters.map((c) => c.color);
}

/** The dist/ component (the unit Argo CD syncs) of an app. */
export function appComponent(app: AppConfig): string {
  return `apps-${app.name}`;
}

/**
 * A `charts:` entry (platform/helm-charts.ts): its Argo CD Application and AppProject, both
 * `charts-<name>` (the prefix keeps them apart from the add-ons' and apps' components), the
 * colors of the clusters that install it, and its IRSA role `<cluster>-chart-<name>`.
 */
export function chartApplication(chart: Pick<HelmChartConfig, 'name'>): string {
  return `charts-${chart.name}`;
}

export function chartClusters(
  config: Pick<PlatformConfig, 'clusters'>,
  chart: Pick<HelmChartConfig, 'clusters'>,
): readonly string[] {
  return chart.clusters ?? config.clusters.map((c) => c.color);
}

export function chartIrsaRoleName(
  config: Pick<PlatformConfig, 'name'>,
  cluster: Pick<ClusterConfig, 'color'>,
  chart: Pick<HelmChartConfig, 'name'>,
): string {
  return `${clusterName(config, cluster)}-chart-${chart.name}`;
}

/** The IRSA role of a chart with `iam`: trusted for exactly its namespace and service account. */
export function chartIrsaRole(
  config: PlatformConfig,
  cluster: Pick<ClusterConfig, 'color'>,
  chart: HelmChartConfig & { readonly iam: NonNullable<HelmChartConfig['iam']> },
): IrsaRole {
  const roleName = chartIrsaRoleName(config, cluster, chart);
  return {
    roleName,
    roleArn: `arn:aws:iam::${config.account}:role/${roleName}`,
    namespace: chart.namespace,
    serviceAccount: chart.iam.serviceAccount,
    subject: `system:serviceaccount:${chart.namespace}:${chart.iam.serviceAccount}`,
  };
}

/**
 * Argo CD: the bootstrap stack installs it with Helm into `namespace` and creates the root
 * Application, which syncs the cluster's own Argo CD objects, the dist component `component`
 * (dist/<cluster>/argocd/): the cluster's AppProject and one Application per other component.
 */
export const ARGOCD = {
  namespace: 'argocd',
  component: 'argocd',
  /** The Application that syncs dist/<cluster>/argocd/. */
  rootApplication: 'root',
  /** The project of the root Application alone: Argo CD objects in `namespace`, from this repository. */
  rootProject: 'bootstrap',
  /** The API server of the cluster Argo CD runs in, as Argo CD names it. */
  inClusterServer: 'https://kubernetes.default.svc',
} as const;

/** The AppProject of a cluster's components, named after the cluster so its UI says which one it is. */
export function argoCdProject(config: PlatformConfig, cluster: Pick<ClusterConfig, 'color'>): string {
  return clusterName(config, cluster);
}

/**
 * Where Argo CD reads a component in the Git repository: `dist/<cluster>/<component>`, the folder
 * `npm run synth` writes by default and the one committed.
 */
export function gitopsPath(
  config: PlatformConfig,
  cluster: Pick<ClusterConfig, 'color'>,
  component: string,
): string {
  return `dist/${clusterName(config, cluster)}/${component}`;
}

/**
 * The records of seed 001's kubeconfig wrapper, in the private zone, following `live`: the CNAME
 * `api.<zone>` to the live cluster's API endpoint and the TXT `eks.<zone>` holding its name.
 */
export function liveDnsRecords(config: PlatformConfig) {
  const zone = config.dns.private.zone;
  return { api: `api.${zone}`, clusterName: `eks.${zone}` } as const;
}

/**
 * Annotation prefix that records, on the object itself, an exception to a policy rule of
 * `npm run check` and its reason: `policy.eks-platform.io/exception-run-as-non-root: "<why>"`.
 * The exception is written where it is made (in the chart), travels with the object to the
 * cluster, and `npm run check` prints it instead of failing.
 */
export const POLICY_EXCEPTION_PREFIX = 'policy.eks-platform.io/exception-';

/**
 * The pod annotation cluster-autoscaler reads to decide whether scale-down may evict a pod:
 * `"false"` keeps the pod's node, `"true"` lets it go even where a rule would keep it.
 * https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-1.35.2/cluster-autoscaler/FAQ.md#what-types-of-pods-can-prevent-ca-from-removing-a-node
 */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';

/**
 * A Terraform resource name from config names: letters, digits, `_` and `-`, not starting with
 * a digit (https://developer.hashicorp.com/terraform/language/syntax/configuration#identifiers).
 * The config validation refuses label and taint keys that would share one.
 */
export function terraformName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * A Terraform name for a role's access entry, from its ARN: `<account>-<role name>`. IAM role
 * names are unique per account whatever their path, so the key is unique per role; the config
 * validation refuses two roles that would share one.
 */
export function accessEntryKey(roleArn: string): string {
  const match = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match) throw new Error(`access: ${roleArn} is not an IAM role ARN`);
  return `${match[1]}-${match[2]}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The NetworkPolicies of every app namespace (docs/apps.md): a default deny of ingress for every
 * pod, the allows the app needs, and, when the app restricts egress, a default deny of egress.
 */
export const NETWORK_POLICY_NAMES = {
  denyIngress: 'default-deny-ingress',
  denyEgress: 'default-deny-egress',
  sameNamespace: 'allow-same-namespace',
  loadBalancer: 'allow-load-balancer',
  declaredIngress: 'allow-declared-ingress',
  clusterDns: 'allow-cluster-dns',
  declaredEgress: 'allow-declared-egress',
} as const;

/**
 * The label Kubernetes puts on every namespace with its own name (since 1.22), which a
 * NetworkPolicy's namespaceSelector can select a namespace by.
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Cluster DNS as pods reach it: the CoreDNS pods of the EKS coredns add-on, labelled
 * `k8s-app: kube-dns` in kube-system behind the kube-dns Service, on port 53 over UDP and TCP.
 * With node-local DNS (`addons.nodeLocalDns`, platform/node-local-dns.ts) each node answers the
 * kube-dns address and a link-local one itself; both are added to the peers of the DNS egress
 * allow in manifests/constructs/app-network-policies.ts.
 */
export const CLUSTER_DNS = {
  namespace: 'kube-system',
  podLabels: { 'k8s-app': 'kube-dns' },
  port: 53,
} as const;
