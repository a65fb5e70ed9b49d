import { describe, expect, it } from 'vitest';
import { identityPolicyProblems, isReadOnlyAction } from '../../cli/rules/iam-wildcards';
import { EBS_CSI_POLICY_SOURCE } from '../../infra/policies/ebs-csi-driver-policy';
import { ConfigError } from '../../platform/load';
import { ebsVolumeKeyAlias, irsaRole } from '../../platform/names';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { type Block, dataOf, documentOf, one, ref, webIdentityTrustStatement } from './stack-json';

/**
 * Statements of the upstream policy, copied as they are from EBS_CSI_POLICY_SOURCE
 * (kubernetes-sigs/aws-ebs-csi-driver, docs/AmazonEBSCSIDriverEKSClusterScopedPolicy.json at
 * v1.64.0), in IAM JSON. The rendered policy must hold them with only the principal tag replaced.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, as upstream writes it
const PRINCIPAL_CLUSTER = '${aws:PrincipalTag/eks-cluster-name}';

const UPSTREAM_SIDS = [
  'ReadOnlyDescribeOperations',
  'CreateAndCopyVolumesWithClusterTag',
  'CopyClusterVolumes',
  'CreateSnapshotsWithClusterTag',
  'CreateSnapshotsFromClusterVolumes',
  'ManageClusterVolumes',
  'CreateVolumesFromAndEnableFSROnClusterSnapshots',
  'AttachDetachVolumesToClusterInstance',
  'AttachDetachVolumesToManuallyTaggedInstance',
  'DeleteAndLockClusterSnapshots',
  'TagResourcesOnCreation',
  'ModifyTagsOnClusterVolumes',
];
const UPSTREAM_STATEMENTS = [
  {
    Sid: 'ReadOnlyDescribeOperations',
    Effect: 'Allow',
    Action: [
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeSnapshots',
      'ec2:DescribeVolumes',
      'ec2:DescribeVolumesModifications',
      'ec2:DescribeVolumeStatus',
    ],
    Resource: '*',
  },
  {
    Sid: 'ManageClusterVolumes',
    Effect: 'Allow',
    Action: ['ec2:ModifyVolume', 'ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:DeleteVolume'],
    Resource: 'arn:aws:ec2:*:*:volume/*',
    Condition: {
      StringEquals: {
        'ec2:ResourceTag/ebs.csi.aws.com/cluster-name': PRINCIPAL_CLUSTER,
      },
    },
  },
  {
    Sid: 'AttachDetachVolumesToClusterInstance',
    Effect: 'Allow',
    Action: ['ec2:AttachVolume', 'ec2:DetachVolume'],
    Resource: 'arn:aws:ec2:*:*:instance/*',
    Condition: {
      StringEquals: { 'ec2:ResourceTag/eks:cluster-name': PRINCIPAL_CLUSTER },
    },
  },
  {
    Sid: 'TagResourcesOnCreation',
    Effect: 'Allow',
    Action: ['ec2:CreateTags'],
    Resource: ['arn:aws:ec2:*:*:volume/*', 'arn:aws:ec2:*:*:snapshot/*'],
    Condition: { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot', 'CopyVolumes'] } },
  },
  {
    Sid: 'ModifyTagsOnClusterVolumes',
    Effect: 'Allow',
    Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
    Resource: 'arn:aws:ec2:*:*:volume/*',
    Condition: {
      StringEquals: {
        'ec2:ResourceTag/ebs.csi.aws.com/cluster-name': PRINCIPAL_CLUSTER,
      },
      Null: { 'aws:TagKeys': 'false' },
      'ForAllValues:StringNotEquals': {
        'aws:TagKeys': [
          'ebs.csi.aws.com/cluster',
          'ebs.csi.aws.com/cluster-name',
          'kubernetes.io/created-for/pvc/name',
        ],
      },
    },
  },
];

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** An IAM JSON statement as the aws_iam_policy_document block it becomes, for one cluster. */
function asDocumentStatement(statement: (typeof UPSTREAM_STATEMENTS)[number], cluster: string): Block {
  const condition = Object.entries(statement.Condition ?? {}).flatMap(([test, byKey]) =>
    Object.entries(byKey as Record<string, string | string[]>).map(([variable, values]) => ({
      test,
      variable,
      values: list(values).map((v) => v.replace(PRINCIPAL_CLUSTER, cluster)),
    })),
  );
  return {
    sid: statement.Sid,
    effect: statement.Effect,
    actions: statement.Action,
    resources: list(statement.Resource),
    ...(condition.length > 0 ? { condition } : {}),
  };
}

describe('EBS CSI driver (infra)', () => {
  const prod = fixtureConfig('prod');
  const devOff = fixtureConfig('dev', (raw) => {
    raw.addons.ebsCsiDriver = { enabled: false };
  });
  const rendering = renderConfigs([prod, devOff]);
  const blue = stackOf(rendering, 'prod-blue');
  const cluster = prod.clusters.find((c) => c.color === 'blue');
  if (cluster === undefined) throw new Error('prod fixture has no blue cluster');
  const permissions = (stack = blue) =>
    documentOf(
      stack,
      one(resourcesOf(stack, 'aws_iam_role_policy'), 'irsa-ebs-csi-driver-permissions').policy,
    ).statement as Block[];

  it("installs the aws-ebs-csi-driver managed add-on at EKS's default version, after the node groups, with its role", () => {
    const addon = one(resourcesOf(blue, 'aws_eks_addon'), 'addon-aws-ebs-csi-driver');
    expect(addon).toMatchObject({
      cluster_name: ref('aws_eks_cluster.cluster.name'),
      addon_name: 'aws-ebs-csi-driver',
      addon_version: ref('data.aws_eks_addon_version.addon-version-aws-ebs-csi-driver.version'),
      service_account_role_arn: ref('aws_iam_role.irsa-ebs-csi-driver.arn'),
      resolve_conflicts_on_create: 'OVERWRITE',
      resolve_conflicts_on_update: 'OVERWRITE',
    });
    const nodeGroups = Object.keys(resourcesOf(blue, 'aws_eks_node_group')).map(
      (id) => `aws_eks_node_group.${id}`,
    );
    expect(nodeGroups.length).toBeGreaterThan(0);
    expect([...addon.depends_on].sort()).toEqual(nodeGroups.sort());
    const version = one(dataOf(blue, 'aws_eks_addon_version'), 'addon-version-aws-ebs-csi-driver');
    expect(version).toMatchObject({
      addon_name: 'aws-ebs-csi-driver',
      kubernetes_version: ref('aws_eks_cluster.cluster.version'),
      most_recent: false,
    });
  });

  it('refuses at plan time a default add-on older than v1.58.0, the first that tags volumes with its cluster', () => {
    const version = one(dataOf(blue, 'aws_eks_addon_version'), 'addon-version-aws-ebs-csi-driver');
    const part = (i: number) => `tonumber(split(".", trimprefix(self.version, "v"))[${i}])`;
    expect(version.lifecycle.postcondition).toHaveLength(1);
    expect(version.lifecycle.postcondition[0].condition).toBe(
      `\${${part(0)} > 1 || (${part(0)} == 1 && ${part(1)} >= 58)}`,
    );
    expect(version.lifecycle.postcondition[0].error_message).toContain('older than v1.58.0');
  });

  it('trusts, in the driver role, exactly kube-system/ebs-csi-controller-sa of its own cluster with the STS audience', () => {
    const expected = irsaRole(prod, cluster, 'ebs-csi-driver');
    expect(expected.subject).toBe('system:serviceaccount:kube-system:ebs-csi-controller-sa');
    const role = one(resourcesOf(blue, 'aws_iam_role'), 'irsa-ebs-csi-driver');
    expect(role.name).toBe('prod-blue-ebs-csi-driver');
    expect(documentOf(blue, role.assume_role_policy).statement).toEqual([
      webIdentityTrustStatement(expected.subject),
    ]);
  });

  it(`holds the upstream cluster-scoped policy (${EBS_CSI_POLICY_SOURCE}) with the cluster name for the principal tag`, () => {
    const statements = permissions();
    expect(statements.map((s) => s.sid)).toEqual([
      ...UPSTREAM_SIDS,
      'UseVolumeKeyThroughEc2',
      'GrantVolumeKeyToEc2',
    ]);
    for (const upstream of UPSTREAM_STATEMENTS) {
      expect(statements.find((s) => s.sid === upstream.Sid)).toEqual(
        asDocumentStatement(upstream, 'prod-blue'),
      );
    }
    // Green's driver is scoped to green: the same statements name the other cluster.
    const green = permissions(stackOf(rendering, 'prod-green'));
    expect(green.find((s) => s.sid === 'ManageClusterVolumes')?.condition[0].values).toEqual(['prod-green']);
  });

  it('conditions every mutating EC2 statement on a tag naming its cluster, and allows only reads on *', () => {
    for (const statement of permissions().filter((s) =>
      s.actions.some((a: string) => a.startsWith('ec2:')),
    )) {
      if (statement.resources.includes('*')) {
        expect(statement.actions.every(isReadOnlyAction)).toBe(true);
        expect(statement.condition).toBeUndefined();
        continue;
      }
      const tests = (statement.condition as Block[]).map((c) => `${c.variable}=${c.values.join(',')}`);
      if (statement.sid === 'TagResourcesOnCreation') {
        // Tags only in the call that creates a volume or snapshot, which itself needs the cluster tag.
        expect(tests).toEqual(['ec2:CreateAction=CreateVolume,CreateSnapshot,CopyVolumes']);
      } else {
        expect(
          tests.some((t) => /(ebs\.csi\.aws\.com\/cluster-name|eks:cluster-name)=prod-blue$/.test(t)),
        ).toBe(true);
      }
    }
    // The iam-wildcards rule passes: the only statement on * reads.
    expect(identityPolicyProblems(blue.json)).toEqual([]);
  });

  it("allows KMS only on the cluster's volume key, only through EC2, and grants only for AWS resources", () => {
    const kms = permissions().filter((s) => s.actions.some((a: string) => a.startsWith('kms:')));
    const throughEc2 = {
      test: 'StringEquals',
      variable: 'kms:ViaService',
      values: ['ec2.ca-central-1.amazonaws.com'],
    };
    expect(kms).toEqual([
      {
        sid: 'UseVolumeKeyThroughEc2',
        effect: 'Allow',
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
        resources: [ref('aws_kms_key.ebs-volume-key.arn')],
        condition: [throughEc2],
      },
      {
        sid: 'GrantVolumeKeyToEc2',
        effect: 'Allow',
        actions: ['kms:CreateGrant'],
        resources: [ref('aws_kms_key.ebs-volume-key.arn')],
        condition: [throughEc2, { test: 'Bool', variable: 'kms:GrantIsForAWSResource', values: ['true'] }],
      },
    ]);
  });

  it('encrypts volumes with a rotating key of the cluster, aliased as the StorageClass names it', () => {
    expect(one(resourcesOf(blue, 'aws_kms_key'), 'ebs-volume-key')).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
    });
    const alias = one(resourcesOf(blue, 'aws_kms_alias'), 'ebs-volume-key-alias');
    expect(alias.target_key_id).toBe(ref('aws_kms_key.ebs-volume-key.key_id'));
    expect(alias.name).toBe(ebsVolumeKeyAlias(prod, cluster).name);
    expect(alias.name).toBe('alias/eks/prod-blue/ebs');
  });

  it('creates no add-on, role, policy or key when addons.ebsCsiDriver.enabled is false', () => {
    const dev = stackOf(rendering, 'dev-blue');
    expect(Object.keys(resourcesOf(dev, 'aws_eks_addon')).sort()).toEqual([
      'addon-coredns',
      'addon-kube-proxy',
      'addon-vpc-cni',
    ]);
    expect(Object.keys(dataOf(dev, 'aws_eks_addon_version'))).not.toContain(
      'addon-version-aws-ebs-csi-driver',
    );
    expect(Object.keys(resourcesOf(dev, 'aws_iam_role'))).not.toContain('irsa-ebs-csi-driver');
    expect(Object.keys(resourcesOf(dev, 'aws_iam_role_policy'))).not.toContain(
      'irsa-ebs-csi-driver-permissions',
    );
    expect(Object.keys(resourcesOf(dev, 'aws_kms_key'))).not.toContain('ebs-volume-key');
    expect(Object.keys(resourcesOf(dev, 'aws_kms_alias'))).not.toContain('ebs-volume-key-alias');
    expect(JSON.stringify(dev.json)).not.toContain('ebs-csi');
  });

  it('rejects a reclaimPolicy other than Delete or Retain', () => {
    const edit = (raw: Record<string, any>) => {
      raw.addons.ebsCsiDriver = { reclaimPolicy: 'Recycle' };
    };
    expect(() => fixtureConfig('dev', edit)).toThrow(ConfigError);
    expect(() => fixtureConfig('dev', edit)).toThrow(/addons\.ebsCsiDriver\.reclaimPolicy/);
  });
});
