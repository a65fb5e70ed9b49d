import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

/**
 * The upstream policy the EBS CSI driver's statements are taken from: AWS's cluster-scoped policy
 * (published as the managed policy AmazonEBSCSIDriverEKSClusterScopedPolicy), at the driver's tag
 * v1.64.0. Pinned, statement by statement, by test/infra/ebs-csi-driver.test.ts.
 */
export const EBS_CSI_POLICY_SOURCE =
  'https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/v1.64.0/docs/AmazonEBSCSIDriverEKSClusterScopedPolicy.json';

/**
 * The oldest driver that tags what it creates with `ebs.csi.aws.com/cluster-name`, on which every
 * statement below but the reads depends (the EKS add-on sets `--k8s-tag-cluster-id` to the cluster
 * name by itself): https://github.com/kubernetes-sigs/aws-ebs-csi-driver/issues/2918 ("Upgrade
 * the EBS CSI Driver to version v1.58.0 or later"), tag written by pkg/driver/controller.go at v1.64.0.
 */
export const EBS_CSI_MIN_DRIVER_VERSION = { major: 1, minor: 58 } as const;

/** Tag the driver puts on every volume and snapshot it creates, valued with the cluster name. */
const CLUSTER_NAME_TAG = 'ebs.csi.aws.com/cluster-name';
/** Tag EKS puts on every instance of a managed node group, valued with the cluster name. */
const INSTANCE_CLUSTER_TAG = 'eks:cluster-name';

const VOLUMES = 'arn:aws:ec2:*:*:volume/*';
const SNAPSHOTS = 'arn:aws:ec2:*:*:snapshot/*';
const INSTANCES = 'arn:aws:ec2:*:*:instance/*';

/**
 * What the EBS CSI controller may do: the upstream cluster-scoped policy (EBS_CSI_POLICY_SOURCE),
 * whose every mutating statement is conditioned on a tag naming this cluster, so the driver of
 * blue can neither attach, snapshot, modify nor delete a volume of green. Upstream writes the
 * cluster as `${aws:PrincipalTag/eks-cluster-name}`, a session tag only EKS Pod Identity sets; an
 * IRSA session carries none, so the cluster name is written literally (same meaning, no tag to
 * trust). Statements, Sids, actions, resources and conditions are upstream's, in upstream's order.
 *
 * Then the volume key (KMS), which upstream leaves to the user: the actions the EBS guide requires
 * for a customer managed key (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html:
 * CreateGrant, Decrypt, DescribeKey, GenerateDataKeyWithoutPlainText, ReEncrypt; upstream's
 * docs/install.md at v1.64.0 lists Decrypt, GenerateDataKeyWithoutPlaintext and CreateGrant) on
 * this one key, only through EC2 (`kms:ViaService`: the driver never calls KMS itself, EBS does on
 * its behalf), and grants only for AWS resources (`kms:GrantIsForAWSResource`, as that guide advises).
 */
export function ebsCsiDriverStatements(
  cluster: string,
  region: string,
  volumeKeyArn: string,
): DataAwsIamPolicyDocumentStatement[] {
  const taggedFor = (variable: string) => [{ test: 'StringEquals', variable, values: [cluster] }];
  const requestTag = taggedFor(`aws:RequestTag/${CLUSTER_NAME_TAG}`);
  const resourceTag = taggedFor(`ec2:ResourceTag/${CLUSTER_NAME_TAG}`);
  const throughEc2 = {
    test: 'StringEquals',
    variable: 'kms:ViaService',
    values: [`ec2.${region}.amazonaws.com`],
  };
  return [
    {
      sid: 'ReadOnlyDescribeOperations',
      effect: 'Allow',
      actions: [
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeSnapshots',
        'ec2:DescribeVolumes',
        'ec2:DescribeVolumesModifications',
        'ec2:DescribeVolumeStatus',
      ],
      resources: ['*'],
    },
    {
      sid: 'CreateAndCopyVolumesWithClusterTag',
      effect: 'Allow',
      actions: ['ec2:CreateVolume', 'ec2:CopyVolumes'],
      resources: [VOLUMES],
      condition: requestTag,
    },
    {
      sid: 'CopyClusterVolumes',
      effect: 'Allow',
      actions: ['ec2:CopyVolumes'],
      resources: ['arn:aws:ec2:*:*:volume/vol-*'],
      condition: resourceTag,
    },
    {
      sid: 'CreateSnapshotsWithClusterTag',
      effect: 'Allow',
      actions: ['ec2:CreateSnapshot'],
      resources: [SNAPSHOTS],
      condition: requestTag,
    },
    {
      sid: 'CreateSnapshotsFromClusterVolumes',
      effect: 'Allow',
      actions: ['ec2:CreateSnapshot'],
      resources: [VOLUMES],
      condition: resourceTag,
    },
    {
      sid: 'ManageClusterVolumes',
      effect: 'Allow',
      actions: ['ec2:ModifyVolume', 'ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:DeleteVolume'],
      resources: [VOLUMES],
      condition: resourceTag,
    },
    {
      sid: 'CreateVolumesFromAndEnableFSROnClusterSnapshots',
      effect: 'Allow',
      actions: ['ec2:CreateVolume', 'ec2:EnableFastSnapshotRestores'],
      resources: [SNAPSHOTS],
      condition: resourceTag,
    },
    {
      sid: 'AttachDetachVolumesToClusterInstance',
      effect: 'Allow',
      actions: ['ec2:AttachVolume', 'ec2:DetachVolume'],
      resources: [INSTANCES],
      condition: taggedFor(`ec2:ResourceTag/${INSTANCE_CLUSTER_TAG}`),
    },
    {
      sid: 'AttachDetachVolumesToManuallyTaggedInstance',
      effect: 'Allow',
      actions: ['ec2:AttachVolume', 'ec2:DetachVolume'],
      resources: [INSTANCES],
      condition: resourceTag,
    },
    {
      sid: 'DeleteAndLockClusterSnapshots',
      effect: 'Allow',
      actions: ['ec2:DeleteSnapshot', 'ec2:LockSnapshot'],
      resources: [SNAPSHOTS],
      condition: resourceTag,
    },
    {
      sid: 'TagResourcesOnCreation',
      effect: 'Allow',
      actions: ['ec2:CreateTags'],
      resources: [VOLUMES, SNAPSHOTS],
      condition: [
        {
          test: 'StringEquals',
          variable: 'ec2:CreateAction',
          values: ['CreateVolume', 'CreateSnapshot', 'CopyVolumes'],
        },
      ],
    },
    {
      sid: 'ModifyTagsOnClusterVolumes',
      effect: 'Allow',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [VOLUMES],
      condition: [
        ...resourceTag,
        { test: 'Null', variable: 'aws:TagKeys', values: ['false'] },
        {
          test: 'ForAllValues:StringNotEquals',
          variable: 'aws:TagKeys',
          values: ['ebs.csi.aws.com/cluster', CLUSTER_NAME_TAG, 'kubernetes.io/created-for/pvc/name'],
        },
      ],
    },
    {
      sid: 'UseVolumeKeyThroughEc2',
      effect: 'Allow',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      resources: [volumeKeyArn],
      condition: [throughEc2],
    },
    {
      sid: 'GrantVolumeKeyToEc2',
      effect: 'Allow',
      actions: ['kms:CreateGrant'],
      resources: [volumeKeyArn],
      condition: [throughEc2, { test: 'Bool', variable: 'kms:GrantIsForAWSResource', values: ['true'] }],
    },
  ];
}
