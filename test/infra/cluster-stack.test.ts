import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformOutput } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { addPlatformStacks } from '../../infra/platform-stacks';
import { ADDON_KEYS, ADDONS, type AddonDefinition, addonRuns } from '../../platform/addons';
import { ConfigError } from '../../platform/load';
import { clusterRoleName, IRSA_ADDONS, nodeRole } from '../../platform/names';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { crossStackValue, dataOf, documentOf, one, ref, withoutMetadata } from './stack-json';

const CLUSTER_ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

describe('cluster stacks', () => {
  const prod = fixtureConfig('prod');
  const dev = fixtureConfig('dev');
  const rendering = renderConfigs([prod, dev]);
  const blue = stackOf(rendering, 'prod-blue');
  const green = stackOf(rendering, 'prod-green');
  const devBlue = stackOf(rendering, 'dev-blue');
  const cluster = (stack = blue) => one(resourcesOf(stack, 'aws_eks_cluster'), 'cluster');

  it('makes one stack per cluster, named <environment>-<color>, beside the network stack', () => {
    expect(
      rendering.stacks
        .filter((s) => s.environment === 'prod' && !/-(bootstrap|live-dns)$/.test(s.name))
        .map((s) => s.name),
    ).toEqual(['prod-network', 'prod-blue', 'prod-green']);
    expect(Object.keys(resourcesOf(blue, 'aws_eks_cluster'))).toEqual(['cluster']);
    expect(cluster().name).toBe('prod-blue');
    expect(cluster(green).name).toBe('prod-green');
  });

  it("runs the cluster's Kubernetes version in the private subnets of the network stack", () => {
    expect(cluster().version).toBe('1.34');
    expect(cluster(green).version).toBe('1.35');
    const network = stackOf(rendering, 'prod-network');
    const subnets = (cluster().vpc_config.subnet_ids as string[]).map((id) =>
      crossStackValue(blue, network, id),
    );
    expect(subnets).toEqual(['a', 'b', 'd'].map((z) => ref(`aws_subnet.subnet-private-${z}.id`)));
    // The network outputs are read back from the network stack's own state.
    expect(
      one(dataOf(blue, 'terraform_remote_state'), 'cross-stack-reference-input-prod-network'),
    ).toMatchObject({
      backend: 's3',
      config: { bucket: 'tfstate-prod-111111111111', key: 'eks-platform/prod-network.tfstate' },
    });
    expect(
      one(dataOf(devBlue, 'terraform_remote_state'), 'cross-stack-reference-input-dev-network').config,
    ).toEqual({ path: '../../../terraform.dev-network.tfstate' });
  });

  it('always enables the private endpoint and opens the public one only to the configured CIDRs', () => {
    expect(cluster().vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ['203.0.113.0/24'],
    });
    expect(cluster(green).vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: false,
    });
    expect(cluster(green).vpc_config.public_access_cidrs).toBeUndefined();
    expect(cluster(devBlue).vpc_config.public_access_cidrs).toEqual(['203.0.113.0/24', '198.51.100.0/24']);
  });

  it('sends every control-plane log type to a log group with the configured retention', () => {
    expect(cluster().enabled_cluster_log_types).toEqual([
      'api',
      'audit',
      'authenticator',
      'controllerManager',
      'scheduler',
    ]);
    const logs = one(resourcesOf(blue, 'aws_cloudwatch_log_group'), 'control-plane-logs');
    expect(logs).toMatchObject({ name: '/aws/eks/prod-blue/cluster', retention_in_days: 365 });
    expect(
      one(resourcesOf(devBlue, 'aws_cloudwatch_log_group'), 'control-plane-logs').retention_in_days,
    ).toBe(30);
    expect(cluster().depends_on).toContain('aws_cloudwatch_log_group.control-plane-logs');
  });

  it('encrypts Kubernetes secrets with a KMS key of its own that rotates', () => {
    const key = one(resourcesOf(blue, 'aws_kms_key'), 'secrets-key');
    expect(key.enable_key_rotation).toBe(true);
    expect(cluster().encryption_config).toEqual({
      resources: ['secrets'],
      provider: { key_arn: ref('aws_kms_key.secrets-key.arn') },
    });
    expect(one(resourcesOf(blue, 'aws_kms_alias'), 'secrets-key-alias')).toMatchObject({
      name: 'alias/eks/prod-blue',
      target_key_id: ref('aws_kms_key.secrets-key.key_id'),
    });
  });

  it('uses the configured authentication mode and gives the Terraform caller no implicit admin access', () => {
    expect(cluster().access_config).toEqual({
      authentication_mode: 'API_AND_CONFIG_MAP',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    expect(cluster(devBlue).access_config.authentication_mode).toBe('API');
  });

  it('runs the control plane as a cluster role that EKS assumes, with the cluster policy and use of the key', () => {
    const role = one(resourcesOf(blue, 'aws_iam_role'), 'cluster-role');
    expect(role.name).toBe(clusterRoleName(prod, { color: 'blue' }));
    expect(cluster().role_arn).toBe(ref('aws_iam_role.cluster-role.arn'));
    expect(documentOf(blue, role.assume_role_policy).statement).toEqual([
      {
        sid: 'EksControlPlane',
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['eks.amazonaws.com'] }],
      },
    ]);
    expect(
      one(resourcesOf(blue, 'aws_iam_role_policy_attachment'), 'cluster-role-AmazonEKSClusterPolicy'),
    ).toMatchObject({
      role: ref('aws_iam_role.cluster-role.name'),
      policy_arn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    });
    const keyPolicy = one(resourcesOf(blue, 'aws_iam_role_policy'), 'cluster-role-secrets-key');
    expect(documentOf(blue, keyPolicy.policy).statement[0].resources).toEqual([
      ref('aws_kms_key.secrets-key.arn'),
    ]);
    expect(cluster().depends_on).toEqual(
      expect.arrayContaining([
        'aws_iam_role_policy_attachment.cluster-role-AmazonEKSClusterPolicy',
        'aws_iam_role_policy.cluster-role-secrets-key',
      ]),
    );
  });

  it("registers the cluster's OIDC issuer for IRSA with the STS audience and no thumbprint", () => {
    const oidc = one(resourcesOf(blue, 'aws_iam_openid_connect_provider'), 'oidc-provider');
    expect(oidc.url).toBe(ref('aws_eks_cluster.cluster.identity[0].oidc[0].issuer'));
    expect(oidc.client_id_list).toEqual(['sts.amazonaws.com']);
    expect(oidc.thumbprint_list).toBeUndefined();
  });

  it("installs the vpc-cni, coredns and kube-proxy add-ons at EKS's default version for the cluster version", () => {
    const addons = resourcesOf(blue, 'aws_eks_addon');
    // And aws-ebs-csi-driver, with its own role (test/infra/ebs-csi-driver.test.ts).
    expect(Object.keys(addons).sort()).toEqual([
      'addon-aws-ebs-csi-driver',
      'addon-coredns',
      'addon-kube-proxy',
      'addon-vpc-cni',
    ]);
    for (const name of ['vpc-cni', 'coredns', 'kube-proxy']) {
      expect(one(addons, `addon-${name}`)).toMatchObject({
        cluster_name: ref('aws_eks_cluster.cluster.name'),
        addon_name: name,
        addon_version: ref(`data.aws_eks_addon_version.addon-version-${name}.version`),
        resolve_conflicts_on_create: 'OVERWRITE',
      });
      expect(one(dataOf(blue, 'aws_eks_addon_version'), `addon-version-${name}`)).toMatchObject({
        addon_name: name,
        kubernetes_version: ref('aws_eks_cluster.cluster.version'),
        most_recent: false,
      });
    }
  });

  it('gives each access role an access entry with its username and groups, and system:masters the cluster-admin policy', () => {
    for (const stack of [blue, green]) {
      const entries = resourcesOf(stack, 'aws_eks_access_entry');
      expect(Object.keys(entries).sort()).toEqual([
        'access-111111111111-k8sadmin',
        'access-111111111111-k8sreadonly',
        'access-111111111111-k8sreadwrite',
      ]);
      const admin = one(entries, 'access-111111111111-k8sadmin');
      expect(admin).toMatchObject({
        cluster_name: ref('aws_eks_cluster.cluster.name'),
        principal_arn: 'arn:aws:iam::111111111111:role/k8sadmin',
        type: 'STANDARD',
        user_name: 'kubernetes-admin',
      });
      // EKS rejects system: groups in access entries.
      expect(admin.kubernetes_groups).toBeUndefined();
      expect(one(entries, 'access-111111111111-k8sreadwrite')).toMatchObject({
        user_name: 'kubernetes-readwrite',
        kubernetes_groups: ['readwrite', 'readonly', 'debugmode'],
      });
      expect(one(entries, 'access-111111111111-k8sreadonly').kubernetes_groups).toEqual([
        'readonly',
        'debugmode',
      ]);

      const associations = resourcesOf(stack, 'aws_eks_access_policy_association');
      expect(associations).toEqual({
        'access-111111111111-k8sadmin-cluster-admin': expect.objectContaining({
          cluster_name: ref('aws_eks_access_entry.access-111111111111-k8sadmin.cluster_name'),
          principal_arn: ref('aws_eks_access_entry.access-111111111111-k8sadmin.principal_arn'),
          policy_arn: CLUSTER_ADMIN,
          access_scope: { type: 'cluster' },
        }),
      });
    }
    expect(Object.keys(resourcesOf(devBlue, 'aws_eks_access_entry'))).toHaveLength(2);
  });

  it('creates no access entries in CONFIG_MAP mode, where aws-auth maps the roles', () => {
    const configMap = renderConfigs([
      fixtureConfig('dev', (raw) => {
        raw.authenticationMode = 'CONFIG_MAP';
      }),
    ]);
    const stack = stackOf(configMap, 'dev-blue');
    expect(resourcesOf(stack, 'aws_eks_access_entry')).toEqual({});
    expect(resourcesOf(stack, 'aws_eks_access_policy_association')).toEqual({});
    expect(one(resourcesOf(stack, 'aws_eks_cluster'), 'cluster').access_config.authentication_mode).toBe(
      'CONFIG_MAP',
    );
  });

  it('rejects a system: group other than system:masters when access entries are used', () => {
    const edit = (mode: string) => (raw: Record<string, any>) => {
      raw.authenticationMode = mode;
      raw.access[1].groups = ['readwrite', 'system:nodes'];
    };
    expect(() => fixtureConfig('dev', edit('API'))).toThrow(ConfigError);
    expect(() => fixtureConfig('dev', edit('API'))).toThrow(
      /access\[1\]\.groups\[1\]: cannot be system:nodes with authenticationMode API/,
    );
    expect(() => fixtureConfig('dev', edit('CONFIG_MAP'))).not.toThrow();
  });

  it('names the node role as aws-auth expects and gives it the four EKS node managed policies', () => {
    const role = one(resourcesOf(blue, 'aws_iam_role'), 'node-role');
    expect(role.name).toBe(nodeRole(prod, { color: 'blue' }).roleName);
    expect(role.name).toBe('prod-blue-node');
    expect(documentOf(blue, role.assume_role_policy).statement[0]).toMatchObject({
      actions: ['sts:AssumeRole'],
      principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }],
    });
    const attached = Object.values(resourcesOf(blue, 'aws_iam_role_policy_attachment'))
      .filter((a) => a.role === ref('aws_iam_role.node-role.name'))
      .map((a) => a.policy_arn)
      .sort();
    expect(attached).toEqual([
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
  });

  it("lets nodes pull from the ECR account's repositories, with GetAuthorizationToken alone on *", () => {
    const policy = one(resourcesOf(blue, 'aws_iam_role_policy'), 'node-role-ecr-pull');
    expect(policy.role).toBe(ref('aws_iam_role.node-role.name'));
    const statements = documentOf(blue, policy.policy).statement as Record<string, any>[];
    expect(statements).toEqual([
      {
        sid: 'EcrAuthorizationToken',
        effect: 'Allow',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      },
      {
        sid: 'EcrPullRepositories',
        effect: 'Allow',
        actions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:GetDownloadUrlForLayer',
          'ecr:GetRepositoryPolicy',
          'ecr:DescribeRepositories',
          'ecr:ListImages',
          'ecr:DescribeImages',
          'ecr:BatchGetImage',
        ],
        resources: ['arn:aws:ecr:ca-central-1:222222222222:repository/*'],
      },
    ]);
  });

  it("pulls from the environment's own account and region when the config names no ECR account", () => {
    const own = renderConfigs([
      fixtureConfig('dev', (raw) => {
        delete raw.ecr;
        raw.region = 'us-east-1';
        raw.network.availabilityZones = ['us-east-1a', 'us-east-1b'];
      }),
    ]);
    const stack = stackOf(own, 'dev-blue');
    const policy = one(resourcesOf(stack, 'aws_iam_role_policy'), 'node-role-ecr-pull');
    expect(documentOf(stack, policy.policy).statement[1].resources).toEqual([
      'arn:aws:ecr:us-east-1:333333333333:repository/*',
    ]);
  });

  it('keeps an existing cluster stack byte for byte when another cluster is added', () => {
    const withPurple = renderConfigs([
      fixtureConfig('prod', (raw) => {
        raw.clusters.push({ ...raw.clusters[1], color: 'purple' });
      }),
    ]);
    expect(stackOf(withPurple, 'prod-blue').json).toEqual(blue.json);
    expect(stackOf(withPurple, 'prod-green').json).toEqual(green.json);
    expect(withoutMetadata(resourcesOf(stackOf(withPurple, 'prod-purple'), 'aws_eks_cluster'))).toMatchObject(
      {
        cluster: { name: 'prod-purple' },
      },
    );
  });

  it('exposes what node groups need as references that resolve inside its own stack', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cluster-stack-test-'));
    const app = new App({ stackTraces: false, outdir });
    const [stack] = addPlatformStacks(app, prod).clusters;
    if (stack === undefined) throw new Error('no cluster stack');
    expect(stack.clusterName).toBe('prod-blue');
    // Each public reference, used inside the stack as a consumer (the node groups) would use it.
    const probes: Record<string, string> = {
      clusterName: stack.cluster.name,
      clusterEndpoint: stack.clusterEndpoint,
      clusterCertificateAuthority: stack.clusterCertificateAuthority,
      nodeRoleArn: stack.nodeRoleArn,
      kmsKeyArn: stack.kmsKeyArn,
      oidcProviderArn: stack.oidcProviderArn,
      subnetA: stack.privateSubnetIds.a ?? '',
      subnetZoneA: stack.privateSubnetIdsByZone['ca-central-1a'] ?? '',
    };
    for (const [name, value] of Object.entries(probes))
      new TerraformOutput(stack, `probe-${name}`, { value });
    new TerraformOutput(stack, 'probe-dependencies', {
      value: 'x',
      dependsOn: [...stack.nodeRoleDependencies],
    });
    // A full synth: cross-stack references only resolve when the App synthesizes every stack.
    app.synth();
    const synthesized = JSON.parse(readFileSync(join(outdir, 'stacks', 'prod-blue', 'cdk.tf.json'), 'utf8'));
    rmSync(outdir, { recursive: true, force: true });
    const outputs = synthesized.output as Record<string, Record<string, any>>;
    const value = (name: string) => outputs[`probe-${name}`]?.value;
    expect(value('clusterName')).toBe(ref('aws_eks_cluster.cluster.name'));
    expect(value('clusterEndpoint')).toBe(ref('aws_eks_cluster.cluster.endpoint'));
    expect(value('clusterCertificateAuthority')).toBe(
      ref('aws_eks_cluster.cluster.certificate_authority[0].data'),
    );
    expect(value('nodeRoleArn')).toBe(ref('aws_iam_role.node-role.arn'));
    expect(value('kmsKeyArn')).toBe(ref('aws_kms_key.secrets-key.arn'));
    expect(value('oidcProviderArn')).toBe(ref('aws_iam_openid_connect_provider.oidc-provider.arn'));
    expect(value('subnetA')).toBe(
      ref(
        'data.terraform_remote_state.cross-stack-reference-input-prod-network.outputs.cross-stack-output-aws_subnetsubnet-private-aid',
      ),
    );
    expect(value('subnetZoneA')).toBe(value('subnetA'));
    expect(Object.keys(stack.privateSubnetIds)).toEqual(['a', 'b', 'd']);
    // cdktf writes an output's depends_on as references.
    expect(outputs['probe-dependencies']?.depends_on.sort()).toEqual(
      [
        'aws_iam_role_policy.node-role-ecr-pull',
        'aws_iam_role_policy_attachment.node-role-AmazonEC2ContainerRegistryReadOnly',
        'aws_iam_role_policy_attachment.node-role-AmazonEKSWorkerNodePolicy',
        'aws_iam_role_policy_attachment.node-role-AmazonEKS_CNI_Policy',
        'aws_iam_role_policy_attachment.node-role-AmazonSSMManagedInstanceCore',
      ].map(ref),
    );
    expect(Object.keys(stack.addons)).toEqual(['vpc-cni', 'coredns', 'kube-proxy']);
    // Every IRSA add-on that is on in this fixture (some are off by default).
    const cluster = prod.clusters.find((c) => c.color === 'blue');
    if (cluster === undefined) throw new Error('no prod-blue');
    const running = ADDON_KEYS.flatMap((key) => {
      const { identity } = ADDONS[key] as AddonDefinition;
      return identity.kind === 'irsa' && addonRuns(prod, cluster, key) ? [identity.role] : [];
    });
    expect(running.length).toBeGreaterThan(0);
    expect(Object.keys(IRSA_ADDONS)).toEqual(expect.arrayContaining(running));
    expect(Object.keys(stack.irsaRoles)).toEqual(running);
  });
});
