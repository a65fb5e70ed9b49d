import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsEksAddonVersion } from '@cdktf/provider-aws/lib/data-aws-eks-addon-version';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { dependable, Fn, type ITerraformDependable, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { clusterName, clusterRoleName, IRSA_AUDIENCE, nodeRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { END_OF_STANDARD_SUPPORT } from '../../platform/versions';
import { INFRA_ADDONS, type InfraAddon } from '../addon-policies';
import { addonIrsaRoles } from '../constructs/addon-irsa-roles';
import { ClusterAccess } from '../constructs/cluster-access';
import { ManagedNodeGroups } from '../constructs/managed-node-groups';
import { NodeRole } from '../constructs/node-role';
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
   * ARN of the KMS key that encrypts Kubernetes secrets. Its key policy is the default one
   * (account IAM policies decide); it grants nothing to the Auto Scaling service-linked role, so
   * it is not fit for EBS volumes as it stands.
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
    new AwsProvider(this, 'aws', { region: config.region, defaultTags: [{ tags: config.tags }] });
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

    // Envelope encryption of Kubernetes secrets with a key of our own, rotated yearly.
    // https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
    const key = new KmsKey(this, 'secrets-key', {
      description: `Kubernetes secrets of EKS cluster ${name}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, 'secrets-key-alias', { name: `alias/eks/${name}`, targetKeyId: key.keyId });
    this.kmsKeyArn = key.arn;

    // EKS writes control-plane logs to this exact group name; creating it first lets Terraform own
    // its retention. https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
    const logGroup = new CloudwatchLogGroup(this, 'control-plane-logs', {
      name: `/aws/eks/${name}/cluster`,
      retentionInDays: cluster.logRetentionDays,
    });

    const clusterRole = this.clusterRole(config, cluster, key);

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
      dependsOn: [logGroup, ...clusterRole.permissions],
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

    this.irsaRoles = addonIrsaRoles(this, {
      config,
      cluster,
      clusterName: name,
      oidcProviderArn: oidc.arn,
      oidcIssuer: issuer,
      addons: props.addons ?? INFRA_ADDONS,
    });

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
  }

  /** The role the EKS control plane assumes, allowed to use the secrets key. */
  private clusterRole(config: PlatformConfig, cluster: ClusterConfig, key: KmsKey) {
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
    // The key's use by the control plane, on this key only (as terraform-aws-modules/eks grants it:
    // https://github.com/terraform-aws-modules/terraform-aws-eks/blob/master/main.tf).
    const keyUse = new DataAwsIamPolicyDocument(this, 'cluster-role-secrets-key', {
      statement: [
        {
          sid: 'SecretsEnvelopeEncryption',
          effect: 'Allow',
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
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
    return { role, permissions: [managed, inline] };
  }
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
