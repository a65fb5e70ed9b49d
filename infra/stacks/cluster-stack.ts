import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsEksAddonVersion } from '@cdktf/provider-aws/lib/data-aws-eks-addon-version';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { dependable, Fn, type ITerraformDependable, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { clusterName, clusterRoleName, IRSA_AUDIENCE, nodeRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { END_OF_STANDARD_SUPPORT } from '../../platform/versions';
import { INFRA_ADDONS, type InfraAddon } from '../addon-policies';
import { awsProvider } from '../aws-provider';
import { addonIrsaRoles } from '../constructs/addon-irsa-roles';
import { chartIrsaRoles } from '../constructs/chart-irsa-roles';
import { ClusterAccess } from '../constructs/cluster-access';
import { customerKey } from '../constructs/customer-key';
import { ManagedNodeGroups } from '../constructs/managed-node-groups';
import { NodeRole } from '../constructs/node-role';
import {
  logsKeyStatements,
  SECRETS_KEY_USE_ACTIONS,
  secretsKeyStatements,
} from '../policies/cluster-key-policies';
import { useStateBackend } from '../state-backend';
import type { NetworkStack } from './network-stack';

/** Control-plane log types, all of them: audit and authenticator logs answer "who did what". */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/**
 * EKS managed add-ons of every cluster. Each runs the version EKS marks as default for the
 * cluster's Kubernetes version, looked up at plan time, so a control-plane upgrade brings its
 * kube-proxy, CoreDNS and VPC CNI along in the same plan.
 */
export const MANAGED_ADDONS = ['vpc-cni', 'coredns', 'kube-proxy'] as const;
export type ManagedAddon = (typeof MANAGED_ADDONS)[number];

/**
 * The `configuration_values` of the managed add-ons (a JSON document validated by EKS against the
 * add-on's configuration schema, `aws eks describe-addon-configuration`). Add-ons without an
 * entry keep EKS's defaults.
 *
 * vpc-cni: `enableNetworkPolicy: "true"` (a string, as the EKS guide writes it) turns on the network
 * policy agent, the `aws-eks-nodeagent` container of aws-node, so the NetworkPolicies of the app
 * namespaces are enforced; without it they are accepted by the API server and ignored.
 * https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
 * - Versions: vpc-cni 1.14.0-eksbuild.3 or later on Kubernetes 1.25 or later. The add-on runs the
 *   default version EKS gives the cluster's minor (1.32 and later here, see versions.ts), far
 *   above that. EKS checks configuration values against the configuration schema of the add-on
 *   version (`aws eks describe-addon-configuration`), so a version without the key would fail the
 *   apply rather than run without enforcement.
 * - Nodes: kernel 5.10 or later with the BPF file system mounted. The AL2023 EKS AMIs of every
 *   node group (instance-types.ts) run kernel 6.1 and mount it (AMIs for 1.27 and later do).
 * - Mode: `standard` (the default) lets a new pod's traffic through until its policies are
 *   programmed (a second or so), rather than `strict`, which also denies traffic of pods no policy
 *   selects until one does (CoreDNS and the add-on namespaces have none in this platform).
 * - Day 2, enabling it on a running cluster: the add-on update rewrites the aws-node DaemonSet,
 *   which rolls node by node (https://github.com/aws/aws-network-policy-agent/issues/190). aws-node
 *   restarting does not change the IPs or routes of running pods (ipamd keeps its state). The
 *   order against Argo CD does not matter: policies synced before the agent runs are inert, and
 *   afterwards they allow exactly what docs/apps.md lists. The EKS documentation does not say
 *   when pods that ran before the agent are enforced, and a report exists of a policy taking
 *   effect only once re-created (https://github.com/aws/aws-network-policy-agent/issues/271), so
 *   docs/infrastructure.md asks to restart the app Deployments after that first apply.
 * - Turning it off again is not a simple revert: delete the NetworkPolicies first, or the agent
 *   refuses to start with PolicyEndpoints left to reconcile
 *   (https://github.com/aws/aws-network-policy-agent/issues/97).
 */
export const ADDON_CONFIGURATION: Readonly<Partial<Record<ManagedAddon, Record<string, unknown>>>> = {
  'vpc-cni': { enableNetworkPolicy: 'true' },
};

/** The access_config attribute a mode change flips, ignored after creation (see the cluster's lifecycle). */
export const CREATOR_ADMIN_ATTRIBUTE = 'access_config[0].bootstrap_cluster_creator_admin_permissions';

export interface ClusterStackProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /** The environment's network; its subnet ids reach this stack as cross-stack references. */
  readonly network: NetworkStack;
  /** The add-on registry. @default - the catalog's (infra/addon-policies.ts) */
  readonly addons?: readonly InfraAddon[];
}

/**
 * One EKS cluster and its identity: control plane, its logs and secrets key, cluster and node IAM
 * roles, the OIDC provider and IRSA roles, access entries and managed add-ons. Blue and green are
 * separate stacks, so one can be destroyed after a switch without touching the other.
 *
 * Every logical ID is a fixed name or derived from config (role ARN, add-on name), never from
 * construct nesting, so adding a cluster, a zone or a node group renames nothing.
 */
export class ClusterStack extends TerraformStack {
  /** `<environment>-<color>`, known at synth time. */
  readonly clusterName: string;
  readonly cluster: EksCluster;
  /** The API server endpoint (a Terraform reference). */
  readonly clusterEndpoint: string;
  /** Base64 PEM of the cluster's certificate authority (a Terraform reference). */
  readonly clusterCertificateAuthority: string;
  /** ARN of the node IAM role (a Terraform reference to the role named by nodeRole()). */
  readonly nodeRoleArn: string;
  /** The node role's policy attachments and inline policy: node groups must depend on them. */
  readonly nodeRoleDependencies: readonly ITerraformDependable[];
  /** Private subnet ids by zone letter (`a` for ca-central-1a), read from the network stack. */
  readonly privateSubnetIds: Readonly<Record<string, string>>;
  /** The same private subnet ids keyed by zone name (`ca-central-1a`). */
  readonly privateSubnetIdsByZone: Readonly<Record<string, string>>;
  /**
   * ARN of the KMS key that encrypts Kubernetes secrets. Its key policy gives the account full
   * access (IAM policies decide), the configured key administrators administration and the cluster
   * role its use; it grants nothing to the Auto Scaling service-linked role, so it is not fit for
   * EBS volumes as it stands.
   */
  readonly kmsKeyArn: string;
  /** ARN of the cluster's IAM OIDC provider, for further IRSA roles. */
  readonly oidcProviderArn: string;
  /** The managed add-ons; CoreDNS only becomes healthy once nodes exist. */
  readonly addons: Readonly<Record<ManagedAddon, EksAddon>>;
  /** IRSA roles of the enabled add-ons, keyed by the role part of their name (`<cluster>-<role>`). */
  readonly irsaRoles: Readonly<Partial<Record<string, IamRole>>>;
  /** The managed node groups, their launch templates, scale-from-zero tags and off-hours schedules. */
  readonly nodeGroups: ManagedNodeGroups;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    const { config, cluster, network } = props;
    const name = clusterName(config, cluster);
    this.clusterName = name;
    awsProvider(this, config);
    useStateBackend(this, config);

    const byLetter: Record<string, string> = {};
    const byZone: Record<string, string> = {};
    for (const zone of config.network.availabilityZones) {
      const subnet = network.privateSubnets[zone.slice(-1)];
      if (subnet === undefined) throw new Error(`network stack has no private subnet in ${zone}`);
      byLetter[zone.slice(-1)] = subnet.id;
      byZone[zone] = subnet.id;
    }
    this.privateSubnetIds = byLetter;
    this.privateSubnetIdsByZone = byZone;

    const clusterRole = this.clusterRole(config, cluster);

    // Envelope encryption of Kubernetes secrets with a key of our own, rotated yearly, under an
    // explicit key policy (infra/policies/cluster-key-policies.ts): the account, the configured key
    // administrators, and the cluster role's use. https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
    const keyAdministrators = config.encryption.keyAdministrators;
    const key = customerKey(this, 'secrets-key', {
      description: `Kubernetes secrets of EKS cluster ${name}`,
      alias: `alias/eks/${name}`,
      statements: secretsKeyStatements({
        account: config.account,
        keyAdministrators,
        clusterRoleArn: clusterRole.role.arn,
      }),
    });
    this.kmsKeyArn = key.arn;
    const keyUse = this.clusterRoleKeyUse(config, cluster, clusterRole.role, key);

    // The control-plane logs (audit and authenticator logs answer "who did what") are encrypted
    // with a customer managed key of their own, not with the secrets key:
    // - CloudWatch Logs encrypts every log group anyway; a customer key adds who may read the logs
    //   to a key policy of ours, records every decryption in CloudTrail, and lets the logs be made
    //   unreadable (disable the key) during an incident;
    // - a key of their own, because disabling or deleting the secrets key degrades the cluster for
    //   good (EKS: "no way to recover the cluster"), so the logs' key must be revocable without
    //   touching it, and the secrets key's policy names no service principal;
    // - it costs one key per cluster ($1 a month, plus $0.03 per 10,000 requests; CloudWatch Logs
    //   reuses data keys, so requests are few: https://aws.amazon.com/kms/pricing/);
    // - kms_key_id changes in place (the provider calls AssociateKmsKey; the attribute is not
    //   ForceNew), so an existing cluster's log group is kept with its logs: events stored before
    //   stay under CloudWatch's own key, new ones use this key, within five minutes.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_log_group#kms_key_id
    const logGroupName = controlPlaneLogGroupName(name);
    const logsKey = customerKey(this, 'logs-key', {
      description: `Control-plane logs of EKS cluster ${name}`,
      alias: `alias/eks/${name}/logs`,
      statements: logsKeyStatements({
        account: config.account,
        region: config.region,
        keyAdministrators,
        logGroupName,
      }),
    });

    // EKS writes control-plane logs to this exact group name; creating it first lets Terraform own
    // its retention and key. https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
    const logGroup = new CloudwatchLogGroup(this, 'control-plane-logs', {
      name: logGroupName,
      retentionInDays: cluster.logRetentionDays,
      kmsKeyId: logsKey.arn,
    });

    this.cluster = new EksCluster(this, 'cluster', {
      name,
      version: cluster.kubernetesVersion,
      roleArn: clusterRole.role.arn,
      vpcConfig: {
        subnetIds: Object.values(byLetter),
        endpointPrivateAccess: true,
        endpointPublicAccess: cluster.endpoint.publicAccess,
        publicAccessCidrs: cluster.endpoint.publicAccess
          ? [...cluster.endpoint.publicAccessCidrs]
          : undefined,
      },
      // Without an upgrade policy EKS puts the cluster on EXTENDED support, billed at the extended
      // rate once standard support of the minor ends: config chooses, STANDARD by default.
      // https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html
      upgradePolicy: { supportType: cluster.supportType },
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: key.arn } },
      accessConfig: {
        authenticationMode: config.authenticationMode,
        // With access entries, whoever runs Terraform gets no hidden admin entry: access is exactly
        // what config says. CONFIG_MAP mode has no access entries: the creator's admin binding is the
        // only way in until Argo CD applies aws-auth, so it stays (and is the documented exception).
        bootstrapClusterCreatorAdminPermissions: config.authenticationMode === 'CONFIG_MAP',
      },
      // The role must keep its permissions until the cluster is gone, and the log group must exist
      // before EKS would create it without a retention.
      dependsOn: [logGroup, clusterRole.managed, keyUse],
      // bootstrap_cluster_creator_admin_permissions only counts at creation, EKS never returns it,
      // and the provider replaces the cluster when it changes: without this, moving a CONFIG_MAP
      // cluster to API_AND_CONFIG_MAP or API (which flips it above) would destroy the cluster.
      // authentication_mode itself changes in place. Same as terraform-aws-eks
      // (https://github.com/terraform-aws-modules/terraform-aws-eks/blob/master/main.tf, lifecycle
      // of aws_eks_cluster.this; https://github.com/hashicorp/terraform-provider-aws/issues/35824).
      lifecycle: { ignoreChanges: [CREATOR_ADMIN_ATTRIBUTE] },
    });
    if (cluster.supportType === 'STANDARD') standardSupportCheck(this, cluster);
    this.clusterEndpoint = this.cluster.endpoint;
    this.clusterCertificateAuthority = this.cluster.certificateAuthority.get(0).data;

    // IRSA. IAM no longer needs a thumbprint for the EKS issuer: it validates the issuer's TLS
    // certificate against its library of trusted root CAs, and computes a thumbprint itself when
    // none is given, so no tls provider is needed to read the certificate.
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
    const issuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    const oidc = new IamOpenidConnectProvider(this, 'oidc-provider', {
      url: issuerUrl,
      clientIdList: [IRSA_AUDIENCE],
    });
    this.oidcProviderArn = oidc.arn;
    const issuer = Fn.replace(issuerUrl, 'https://', '');

    const nodes = new NodeRole(this, 'node-role', {
      roleName: nodeRole(config, cluster).roleName,
      ecr: config.ecr ?? { account: config.account, region: config.region },
    });
    this.nodeRoleArn = nodes.role.arn;
    this.nodeRoleDependencies = nodes.permissions;

    if (config.authenticationMode !== 'CONFIG_MAP') {
      new ClusterAccess(this, 'access', {
        clusterName: this.cluster.name,
        access: config.access,
        bootstrapRoleArn: config.gitops.bootstrapRoleArn,
      });
    }

    const addons: Partial<Record<ManagedAddon, EksAddon>> = {};
    for (const addon of MANAGED_ADDONS) {
      const version = new DataAwsEksAddonVersion(this, `addon-version-${addon}`, {
        addonName: addon,
        kubernetesVersion: this.cluster.version,
        mostRecent: false,
      });
      addons[addon] = new EksAddon(this, `addon-${addon}`, {
        clusterName: this.cluster.name,
        addonName: addon,
        addonVersion: version.version,
        ...(ADDON_CONFIGURATION[addon] === undefined
          ? {}
          : { configurationValues: JSON.stringify(ADDON_CONFIGURATION[addon]) }),
        // EKS installs self-managed copies of these at cluster creation; the managed add-on takes
        // them over, and config (not hand edits) is the source of truth afterwards.
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
      });
    }
    this.addons = addons as Record<ManagedAddon, EksAddon>;

    // The launch templates keep the AWS managed aws/ebs key: the secrets key's policy grants
    // nothing to the Auto Scaling service-linked role, which would fail every node launch.
    this.nodeGroups = new ManagedNodeGroups(this, 'node-groups', {
      config,
      cluster,
      clusterName: this.cluster.name,
      nodeRoleArn: this.nodeRoleArn,
      subnetIds: this.privateSubnetIdsByZone,
      dependsOn: [...this.nodeRoleDependencies, this.addons['vpc-cni']],
    });
    // CoreDNS is a Deployment: without nodes the add-on stays DEGRADED until Terraform times out.
    this.addons.coredns.dependsOn = Object.values(this.nodeGroups.nodeGroups).map((group) =>
      dependable(group),
    );

    // After the node groups: an add-on built by its own construct may wait for them.
    this.irsaRoles = addonIrsaRoles(this, {
      config,
      cluster,
      clusterName: name,
      clusterNameRef: this.cluster.name,
      kubernetesVersion: this.cluster.version,
      oidcProviderArn: oidc.arn,
      oidcIssuer: issuer,
      nodeGroups: Object.values(this.nodeGroups.nodeGroups),
      addons: props.addons ?? INFRA_ADDONS,
    });
    // The roles of the `charts:` entries that ask for one.
    chartIrsaRoles(this, { config, cluster, oidcProviderArn: oidc.arn, oidcIssuer: issuer });
  }

  /** The role the EKS control plane assumes, with the EKS cluster policy. */
  private clusterRole(config: PlatformConfig, cluster: ClusterConfig) {
    const trust = new DataAwsIamPolicyDocument(this, 'cluster-role-trust', {
      statement: [
        {
          sid: 'EksControlPlane',
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['eks.amazonaws.com'] }],
        },
      ],
    });
    const role = new IamRole(this, 'cluster-role', {
      name: clusterRoleName(config, cluster),
      description: `EKS control plane of ${clusterName(config, cluster)}`,
      assumeRolePolicy: trust.json,
    });
    // https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html
    const managed = new IamRolePolicyAttachment(this, 'cluster-role-AmazonEKSClusterPolicy', {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    });
    return { role, managed };
  }

  /**
   * The cluster role's use of the secrets key, on this key only, in its IAM policy too (as
   * terraform-aws-eks grants it: https://github.com/terraform-aws-modules/terraform-aws-eks/blob/master/main.tf).
   * The key policy also names the role; this keeps the grant visible from the role's side.
   */
  private clusterRoleKeyUse(config: PlatformConfig, cluster: ClusterConfig, role: IamRole, key: KmsKey) {
    const keyUse = new DataAwsIamPolicyDocument(this, 'cluster-role-secrets-key', {
      statement: [
        {
          sid: 'SecretsEnvelopeEncryption',
          effect: 'Allow',
          actions: [...SECRETS_KEY_USE_ACTIONS],
          resources: [key.arn],
        },
      ],
    });
    const inline = new IamRolePolicy(this, 'cluster-role-secrets-key-policy', {
      name: `${clusterRoleName(config, cluster)}-secrets-key`,
      role: role.name,
      policy: keyUse.json,
    });
    inline.overrideLogicalId('cluster-role-secrets-key');
    return inline;
  }
}

/** The log group EKS writes a cluster's control-plane logs to (a name EKS chooses). */
export function controlPlaneLogGroupName(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}

/** Name of the Terraform `check` block that warns when a STANDARD cluster's minor leaves standard support. */
export const STANDARD_SUPPORT_CHECK = 'standard_support';

/**
 * A Terraform `check` block (a plan-time warning, not an error): from the end of standard support
 * of the cluster's minor, EKS upgrades a STANDARD cluster's control plane by itself, and the next
 * plan would try to set the old version back. Checked against the plan's own time, so the render
 * stays the same from day to day. https://developer.hashicorp.com/terraform/language/checks
 */
function standardSupportCheck(stack: TerraformStack, cluster: ClusterConfig): void {
  const end = END_OF_STANDARD_SUPPORT[cluster.kubernetesVersion];
  stack.addOverride(`check.${STANDARD_SUPPORT_CHECK}`, {
    assert: [
      {
        condition: `\${timecmp(plantimestamp(), "${end}T00:00:00Z") < 0}`,
        error_message: `Kubernetes ${cluster.kubernetesVersion} left EKS standard support on ${end}: with supportType STANDARD, EKS upgrades the control plane itself. Raise kubernetesVersion (docs/operations/blue-green-upgrade.md) or set supportType: EXTENDED (billed at the extended-support rate).`,
      },
    ],
  });
}
