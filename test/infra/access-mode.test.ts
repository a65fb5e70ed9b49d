import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diffTrees, riskBanner } from '../../cli/resource-diff';
import { findObject, fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';

// The three fixtures use the three authentication modes as shipped: dev API, prod
// API_AND_CONFIG_MAP, stage CONFIG_MAP (https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html).
const rendering = renderConfigs([fixtureConfig('dev'), fixtureConfig('prod'), fixtureConfig('stage')]);
const clusterOf = (stack: string) => resourcesOf(stackOf(rendering, stack), 'aws_eks_cluster').cluster;
const awsAuthOn = (cluster: string) =>
  rendering.objects.filter(
    (o) =>
      o.cluster === cluster &&
      o.object.kind === 'ConfigMap' &&
      (o.object.metadata as any).name === 'aws-auth',
  );

describe('cluster creator admin permissions', () => {
  it('gives the Terraform caller no admin entry when access entries exist', () => {
    expect(clusterOf('dev-blue')?.access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    for (const stack of ['prod-blue', 'prod-green']) {
      expect(clusterOf(stack)?.access_config, stack).toEqual({
        authentication_mode: 'API_AND_CONFIG_MAP',
        bootstrap_cluster_creator_admin_permissions: false,
      });
    }
  });

  it('keeps the creator admin in CONFIG_MAP mode, the only way in until aws-auth is applied', () => {
    expect(clusterOf('stage-green')?.access_config).toEqual({
      authentication_mode: 'CONFIG_MAP',
      bootstrap_cluster_creator_admin_permissions: true,
    });
    const stack = stackOf(rendering, 'stage-green');
    expect(resourcesOf(stack, 'aws_eks_access_entry')).toEqual({});
    expect(resourcesOf(stack, 'aws_eks_access_policy_association')).toEqual({});
  });

  it('keeps the creator admin when dev is switched to CONFIG_MAP mode', () => {
    const config = fixtureConfig('dev', (raw) => (raw.authenticationMode = 'CONFIG_MAP'));
    const switched = renderConfigs([config]);
    const cluster = resourcesOf(stackOf(switched, 'dev-blue'), 'aws_eks_cluster').cluster;
    expect(cluster?.access_config).toEqual({
      authentication_mode: 'CONFIG_MAP',
      bootstrap_cluster_creator_admin_permissions: true,
    });
    expect(resourcesOf(stackOf(switched, 'dev-blue'), 'aws_eks_access_entry')).toEqual({});
  });
});

describe('changing the authentication mode', () => {
  it('moves a CONFIG_MAP cluster towards API in place: the creator flag it flips is ignored after creation', () => {
    const before = clusterOf('stage-green');
    const migrated = renderConfigs([
      fixtureConfig('stage', (raw) => (raw.authenticationMode = 'API_AND_CONFIG_MAP')),
    ]);
    const after = resourcesOf(stackOf(migrated, 'stage-green'), 'aws_eks_cluster').cluster;
    // The flag changes with the mode; the provider would replace the cluster for it, so the
    // cluster's lifecycle ignores it (authentication_mode itself is updated in place).
    expect(before?.access_config.bootstrap_cluster_creator_admin_permissions).toBe(true);
    expect(after?.access_config).toEqual({
      authentication_mode: 'API_AND_CONFIG_MAP',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    for (const cluster of [before, after]) {
      expect(cluster?.lifecycle).toEqual({
        ignore_changes: ['access_config[0].bootstrap_cluster_creator_admin_permissions'],
      });
    }
    expect(clusterOf('dev-blue')?.lifecycle?.ignore_changes).toEqual([
      'access_config[0].bootstrap_cluster_creator_admin_permissions',
    ]);
  });

  it('is reviewed by npm run diff as an in-place change that replaces no cluster', () => {
    const tree = (mode: string) =>
      new Map(
        renderConfigs([fixtureConfig('stage', (raw) => (raw.authenticationMode = mode))]).files.map((f) => [
          f.path,
          f.content,
        ]),
      );
    const diff = diffTrees(tree('CONFIG_MAP'), tree('API_AND_CONFIG_MAP'));
    const cluster = diff.changes.find((c) => c.resource === 'aws_eks_cluster.cluster');
    expect(cluster?.kind).toBe('changed');
    expect(cluster?.fields.map((f) => f.path)).toContain('access_config.authentication_mode');
    expect(cluster?.risks.map((r) => r.class)).not.toContain('replacement');
    expect(riskBanner(diff).map((b) => b.class)).not.toContain('replacement');
  });
});

describe('the aws-auth ConfigMap', () => {
  it('is rendered in CONFIG_MAP mode, in the rbac component, mapping the node role then every access role', () => {
    const [awsAuth] = awsAuthOn('stage-green');
    expect(awsAuthOn('stage-green')).toHaveLength(1);
    expect(awsAuth?.component).toBe('rbac');
    expect(awsAuth?.path).toBe('stage-green/rbac/configmap_kube-system_aws-auth.yaml');
    const configMap = findObject(rendering, 'stage-green', 'ConfigMap', 'aws-auth', 'kube-system');
    expect(Object.keys(configMap.data)).toEqual(['mapRoles']);
    expect(parse(configMap.data.mapRoles)).toEqual([
      {
        rolearn: 'arn:aws:iam::444444444444:role/stage-green-node',
        username: 'system:node:{{EC2PrivateDNSName}}',
        groups: ['system:bootstrappers', 'system:nodes'],
      },
      {
        rolearn: 'arn:aws:iam::444444444444:role/k8sadmin',
        username: 'kubernetes-admin',
        groups: ['system:masters'],
      },
      // The fixture's role has the path platform/, which aws-auth cannot match: it is dropped.
      {
        rolearn: 'arn:aws:iam::444444444444:role/k8sreadonly',
        username: 'kubernetes-readonly',
        groups: ['readonly', 'debugmode'],
      },
    ]);
  });

  it('maps the very role the node groups of the cluster run with, so nodes can join', () => {
    const stack = stackOf(rendering, 'stage-green');
    const roles = resourcesOf(stack, 'aws_iam_role');
    const nodeRoleIds = new Set(
      Object.values(resourcesOf(stack, 'aws_eks_node_group')).map((g) => g.node_role_arn),
    );
    expect([...nodeRoleIds]).toHaveLength(1);
    const [reference] = [...nodeRoleIds];
    const id = /^\$\{aws_iam_role\.([\w-]+)\.arn\}$/.exec(reference)?.[1] ?? '';
    expect(roles[id]?.name).toBe('stage-green-node');
    const mapped = parse(findObject(rendering, 'stage-green', 'ConfigMap', 'aws-auth').data.mapRoles);
    expect(mapped[0].rolearn).toBe(`arn:aws:iam::444444444444:role/${roles[id]?.name}`);
  });

  it('is not rendered in the API and API_AND_CONFIG_MAP modes, where access entries map the roles', () => {
    for (const cluster of ['dev-blue', 'prod-blue', 'prod-green']) {
      expect(awsAuthOn(cluster), cluster).toEqual([]);
    }
    expect(Object.keys(resourcesOf(stackOf(rendering, 'dev-blue'), 'aws_eks_access_entry'))).toHaveLength(2);
    expect(Object.keys(resourcesOf(stackOf(rendering, 'prod-green'), 'aws_eks_access_entry'))).toHaveLength(
      3,
    );
  });
});
