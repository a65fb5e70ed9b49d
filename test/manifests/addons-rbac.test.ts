import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rendersAwsAuth } from '../../manifests/charts/rbac-chart';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { render } from './addons-helpers';

const configMapMode = render(fixtureConfig('prod', (raw) => (raw.authenticationMode = 'CONFIG_MAP')));
const prod = render(fixtureConfig('prod'));
const mapRoles = (cluster: string) =>
  parse(findObject(configMapMode, cluster, 'ConfigMap', 'aws-auth', 'kube-system').data.mapRoles);

describe('RBAC add-on', () => {
  it('binds the readonly group to view and the readwrite group to edit', () => {
    expect(findObject(prod, 'prod-blue', 'ClusterRoleBinding', 'readonly-role-view')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'readonly' }],
    });
    expect(findObject(prod, 'prod-blue', 'ClusterRoleBinding', 'readwrite-role-edit')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'readwrite' }],
    });
  });

  it('lets the debugmode group exec, attach, port-forward, read logs and add ephemeral containers', () => {
    const role = findObject(prod, 'prod-green', 'ClusterRole', 'debugmode');
    const verbsOn = (resource: string) =>
      role.rules.filter((r: any) => r.resources.includes(resource)).flatMap((r: any) => r.verbs);
    for (const resource of ['pods/exec', 'pods/attach', 'pods/portforward']) {
      // create for SPDY and, from 1.35, WebSockets; get for WebSocket upgrades before 1.35.
      expect(verbsOn(resource), resource).toEqual(expect.arrayContaining(['create', 'get']));
    }
    expect(verbsOn('pods/log')).toContain('get');
    expect(verbsOn('pods/ephemeralcontainers')).toContain('patch');
    expect(role.rules.every((r: any) => r.apiGroups.length === 1 && r.apiGroups[0] === '')).toBe(true);
    expect(findObject(prod, 'prod-green', 'ClusterRoleBinding', 'debugmode-role-debugmode')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'debugmode' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'debugmode' }],
    });
  });

  it('maps the node role, then every access role, in aws-auth in CONFIG_MAP mode', () => {
    expect(mapRoles('prod-green')).toEqual([
      {
        rolearn: 'arn:aws:iam::111111111111:role/prod-green-node',
        username: 'system:node:{{EC2PrivateDNSName}}',
        groups: ['system:bootstrappers', 'system:nodes'],
      },
      {
        rolearn: 'arn:aws:iam::111111111111:role/k8sadmin',
        username: 'kubernetes-admin',
        groups: ['system:masters'],
      },
      {
        rolearn: 'arn:aws:iam::111111111111:role/k8sreadwrite',
        username: 'kubernetes-readwrite',
        groups: ['readwrite', 'readonly', 'debugmode'],
      },
      {
        rolearn: 'arn:aws:iam::111111111111:role/k8sreadonly',
        username: 'kubernetes-readonly',
        groups: ['readonly', 'debugmode'],
      },
    ]);
    expect(mapRoles('prod-blue')[0].rolearn).toBe('arn:aws:iam::111111111111:role/prod-blue-node');
  });

  it('drops the IAM path of access roles, which aws-auth cannot match', () => {
    const withPath = render(
      fixtureConfig('dev', (raw) => {
        raw.authenticationMode = 'CONFIG_MAP';
        raw.access[1].roleArn = 'arn:aws:iam::333333333333:role/teams/platform/k8sreadwrite';
      }),
    );
    const roles = parse(
      findObject(withPath, 'dev-blue', 'ConfigMap', 'aws-auth', 'kube-system').data.mapRoles,
    );
    expect(roles.map((r: any) => r.rolearn)).toEqual([
      'arn:aws:iam::333333333333:role/dev-blue-node',
      'arn:aws:iam::333333333333:role/k8sadmin',
      'arn:aws:iam::333333333333:role/k8sreadwrite',
    ]);
  });

  it('renders no aws-auth when access entries carry the mapping', () => {
    expect(rendersAwsAuth('API')).toBe(false);
    expect(rendersAwsAuth('API_AND_CONFIG_MAP')).toBe(false);
    expect(rendersAwsAuth('CONFIG_MAP')).toBe(true);
    const names = (cluster: string) =>
      objectsOf(prod, cluster, 'rbac').map((o) => `${o.object.kind}/${(o.object.metadata as any).name}`);
    expect(names('prod-blue')).not.toContain('ConfigMap/aws-auth');
    expect(names('prod-blue').sort()).toEqual([
      'ClusterRole/debugmode',
      'ClusterRoleBinding/debugmode-role-debugmode',
      'ClusterRoleBinding/readonly-role-view',
      'ClusterRoleBinding/readwrite-role-edit',
    ]);
  });
});
