import { DataAwsEksAddonVersion } from '@cdktf/provider-aws/lib/data-aws-eks-addon-version';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { clusterName, EBS_CSI_DRIVER, ebsVolumeKeyAlias, irsaRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { keyBaseStatements } from '../policies/cluster-key-policies';
import { EBS_CSI_MIN_DRIVER_VERSION, ebsCsiDriverStatements } from '../policies/ebs-csi-driver-policy';
import { customerKey } from './customer-key';
import { IrsaRole } from './irsa-role';

export interface EbsCsiDriverProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /** The aws_eks_cluster's `name` (a token, so the add-on waits for the cluster). */
  readonly clusterName: string;
  /** The aws_eks_cluster's `version` (a token): the add-on version follows the control plane. */
  readonly kubernetesVersion: string;
  /** ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://`. */
  readonly oidcIssuer: string;
  /**
   * What the add-on waits for: the node groups. Its controller is a Deployment, so without nodes
   * the add-on stays DEGRADED until Terraform times out (as CoreDNS would).
   */
  readonly dependsOn: readonly ITerraformDependable[];
}

/** Logical IDs, fixed so that moving the construct renames nothing. */
export const EBS_CSI_LOGICAL_IDS = {
  addon: `addon-${EBS_CSI_DRIVER.addonName}`,
  addonVersion: `addon-version-${EBS_CSI_DRIVER.addonName}`,
  role: 'irsa-ebs-csi-driver',
  key: 'ebs-volume-key',
  keyPolicy: 'ebs-volume-key-policy',
  keyAlias: 'ebs-volume-key-alias',
} as const;

/**
 * The Amazon EBS CSI driver of one cluster: since Kubernetes 1.23 the in-tree EBS plugin is
 * migrated to it, so without it no PersistentVolumeClaim gets a volume
 * (https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html).
 *
 * - The EKS managed add-on `aws-ebs-csi-driver`, at the version EKS marks as default for the
 *   cluster's Kubernetes version (looked up at plan time, as vpc-cni, coredns and kube-proxy are),
 *   refused at plan time if older than the driver that tags volumes with its cluster name.
 * - Its AWS identity: an IRSA role (the repository's one mechanism, cross-checked by the `irsa`
 *   rule; Pod Identity would add the eks-pod-identity-agent add-on for one service account),
 *   trusted for exactly kube-system/ebs-csi-controller-sa and given to the add-on as
 *   service_account_role_arn, so EKS annotates that service account with it. Its permissions
 *   are infra/policies/ebs-csi-driver-policy.ts: the upstream cluster-scoped policy and this
 *   cluster's volume key.
 * - The volume key: a customer managed KMS key per cluster (alias `alias/eks/<cluster>/ebs`),
 *   rotated yearly, that the gp3 StorageClass names. Its key policy is explicit, the statements
 *   every cluster key starts with (infra/policies/cluster-key-policies.ts: the account, so IAM
 *   policies decide, and the configured key administrators): only the driver's role (its IAM
 *   policy, through EC2) and the administrators can use it, where the AWS managed aws/ebs key
 *   serves any principal of the account through EC2.
 */
export class EbsCsiDriver extends Construct {
  readonly addon: EksAddon;
  readonly role: IamRole;
  readonly volumeKey: KmsKey;

  constructor(scope: Construct, id: string, props: EbsCsiDriverProps) {
    super(scope, id);
    const { config, cluster } = props;
    const name = clusterName(config, cluster);

    this.volumeKey = customerKey(this, EBS_CSI_LOGICAL_IDS.key, {
      description: `EBS volumes of the PersistentVolumes of EKS cluster ${name}`,
      alias: ebsVolumeKeyAlias(config, cluster).name,
      statements: keyBaseStatements(config.account, config.encryption.keyAdministrators),
    });

    this.role = new IrsaRole(this, EBS_CSI_LOGICAL_IDS.role, {
      role: irsaRole(config, cluster, 'ebs-csi-driver'),
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      statements: ebsCsiDriverStatements(name, config.region, this.volumeKey.arn),
    }).role;

    const { major, minor } = EBS_CSI_MIN_DRIVER_VERSION;
    // Add-on versions read `v<driver version>-eksbuild.<n>`.
    const part = (i: number) => `tonumber(split(".", trimprefix(self.version, "v"))[${i}])`;
    const version = new DataAwsEksAddonVersion(this, 'version', {
      addonName: EBS_CSI_DRIVER.addonName,
      kubernetesVersion: props.kubernetesVersion,
      mostRecent: false,
      lifecycle: {
        postcondition: [
          {
            condition: `\${${part(0)} > ${major} || (${part(0)} == ${major} && ${part(1)} >= ${minor})}`,
            errorMessage: `The default ${EBS_CSI_DRIVER.addonName} add-on for this Kubernetes version is older than v${major}.${minor}.0, which its IAM policy (cluster-scoped: volumes tagged ebs.csi.aws.com/cluster-name) needs; see docs/addons.md.`,
          },
        ],
      },
    });
    version.overrideLogicalId(EBS_CSI_LOGICAL_IDS.addonVersion);

    this.addon = new EksAddon(this, 'addon', {
      clusterName: props.clusterName,
      addonName: EBS_CSI_DRIVER.addonName,
      addonVersion: version.version,
      serviceAccountRoleArn: this.role.arn,
      // As the other managed add-ons: config, not hand edits, is the source of truth.
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      dependsOn: [...props.dependsOn],
    });
    this.addon.overrideLogicalId(EBS_CSI_LOGICAL_IDS.addon);
  }
}
