import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Rendering } from '../../cli/render';
import { rendersAwsAuth } from '../../manifests/charts/rbac-chart';
import { appClusters, appNamespace, clusterName } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import { FIXTURE_ENVIRONMENTS, findObject, fixtureConfig, objectsOf } from '../helpers';
import { render } from './addons-helpers';

const configMapMode = render(fixtureConfig('prod', (raw) => (raw.authenticationMode = 'CONFIG_MAP')));
const mapRoles = (cluster: string) =>
  parse(findObject(configMapMode, cluster, 'ConfigMap', 'aws-auth', 'kube-system').data.mapRoles);

const RBAC = 'rbac.authorization.k8s.io';
/** The fixtures in their three modes: dev API, prod API_AND_CONFIG_MAP, stage CONFIG_MAP. */
const fixtures = render(fixtureConfig('dev'), fixtureConfig('prod'), fixtureConfig('stage'));
const prod = fixtures;
const configs = FIXTURE_ENVIRONMENTS.map((env) => fixtureConfig(env));
const clusters = configs.flatMap((config) =>
  config.clusters.map((cluster) => ({ config, cluster, name: clusterName(config, cluster) })),
);

/** The rendered YAML of the objects of a cluster, parsed back, as Argo CD applies them. */
function parsedObjects(rendering: Rendering, cluster: string): any[] {
  const files = new Map(rendering.files.map((f) => [f.path, f.content]));
  return objectsOf(rendering, cluster).map((o) => parse(files.get(o.path) ?? ''));
}

/** The rules a binding's roleRef resolves to on its cluster: rendered roles, else the built-in's name. */
function resolvedRules(objects: any[], roleRef: any, namespace?: string): any[] | string {
  const role = objects.find(
    (o) =>
      o.kind === roleRef.kind &&
      o.metadata.name === roleRef.name &&
      (roleRef.kind === 'ClusterRole' || o.metadata.namespace === namespace),
  );
  return role === undefined ? `built-in ${roleRef.name}` : role.rules;
}

/** Whether rules grant anything beyond reading, or read Secrets or the exec family. */
function grantsMoreThanReading(rules: any[] | string): boolean {
  if (typeof rules === 'string') return rules !== 'built-in view';
  return rules.some(
    (r: any) =>
      r.verbs.some((v: string) => !['get', 'list', 'watch'].includes(v)) ||
      r.resources.some(
        (res: string) =>
          res === '*' || res === 'secrets' || /\/(exec|attach|portforward|ephemeralcontainers)$/.test(res),
      ),
  );
}

const peopleGroups = (config: PlatformConfig) =>
  new Set(config.access.flatMap((a) => a.groups).filter((g) => g !== 'system:masters'));

describe('RBAC add-on', () => {
  it('binds the readonly group to the built-in view role cluster-wide', () => {
    expect(findObject(prod, 'prod-blue', 'ClusterRoleBinding', 'readonly-role-view')).toMatchObject({
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'readonly' }],
    });
  });

  it('keeps the debugmode ClusterRole as a template: exec, attach, port-forward, logs and ephemeral containers', () => {
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
  });

  describe.each(clusters)('on $name ($config.authenticationMode)', ({ config, cluster, name }) => {
    const objects = parsedObjects(fixtures, name);
    const people = peopleGroups(config);
    const appNamespaces = config.apps
      .filter((app) => appClusters(config, app).includes(cluster.color))
      .map((app) => appNamespace(app));

    it('gives no people group write, exec-family, Secrets or admin rights through a ClusterRoleBinding', () => {
      const peopleBindings = objects.filter(
        (o) =>
          o.kind === 'ClusterRoleBinding' &&
          o.subjects?.some((s: any) => s.kind === 'Group' && people.has(s.name)),
      );
      // The readonly group's view binding at least: the assertion below reads real bindings.
      expect(peopleBindings.map((o) => o.metadata.name)).toContain('readonly-role-view');
      for (const o of peopleBindings) {
        expect(grantsMoreThanReading(resolvedRules(objects, o.roleRef)), o.metadata.name).toBe(false);
      }
    });

    it('gives readwrite edit and debugmode the debug rights in every application namespace', () => {
      expect(appNamespaces.length).toBeGreaterThan(0);
      for (const namespace of appNamespaces) {
        const bindings = objects.filter(
          (o) => o.kind === 'RoleBinding' && o.metadata.namespace === namespace,
        );
        const roleOf = (group: string) =>
          bindings
            .filter((o) => o.subjects.some((s: any) => s.kind === 'Group' && s.name === group))
            .map((o) => resolvedRules(objects, o.roleRef, namespace));
        expect(roleOf('readwrite'), namespace).toEqual(['built-in edit']);
        const [debug] = roleOf('debugmode');
        expect(debug, namespace).toEqual(findObject(fixtures, name, 'ClusterRole', 'debugmode').rules);
        // Synced with the namespace and after it: same component, a later wave than the Namespace's -3.
        for (const o of bindings) {
          expect(o.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-2');
        }
        const componentOf = (kind: string) =>
          new Set(
            objectsOf(fixtures, name)
              .filter((o) => {
                const m = o.object.metadata as { name: string; namespace?: string };
                return o.object.kind === kind && (kind === 'Namespace' ? m.name : m.namespace) === namespace;
              })
              .map((o) => o.component),
          );
        expect(componentOf('RoleBinding')).toEqual(componentOf('Namespace'));
      }
    });

    it('binds no people group in a system or add-on namespace', () => {
      const elsewhere = objects.filter(
        (o) =>
          o.kind === 'RoleBinding' &&
          !appNamespaces.includes(o.metadata.namespace) &&
          o.subjects.some((s: any) => s.kind === 'Group' && people.has(s.name)),
      );
      expect(elsewhere).toEqual([]);
      expect(
        objects.some((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'kube-system'),
        'kube-system has RoleBindings, of add-on service accounts only',
      ).toBe(true);
    });
  });

  it('gives the groups of appAccess their roles in the namespaces it names only', () => {
    const rendered = render(
      fixtureConfig('prod', (raw) => {
        raw.access[1].groups.push('payments-devs');
        raw.appAccess = [
          { group: 'readwrite', roles: ['edit'], namespaces: ['web'] },
          { group: 'payments-devs', roles: ['edit', 'debug'], namespaces: ['payments'] },
        ];
      }),
    );
    const bindings = (namespace: string) =>
      objectsOf(rendered, 'prod-blue')
        .filter((o) => o.object.kind === 'RoleBinding' && (o.object.metadata as any).namespace === namespace)
        .map((o) => o.object as any)
        .map((o) => `${o.metadata.name}: ${o.roleRef.name} ${o.subjects.map((s: any) => s.name).join(',')}`);
    expect(bindings('web')).toEqual(['access-edit: edit readwrite']);
    expect(bindings('payments')).toEqual([
      'access-edit: edit payments-devs',
      'access-debug: debugmode payments-devs',
    ]);
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
      'ClusterRoleBinding/readonly-role-view',
    ]);
  });
});
