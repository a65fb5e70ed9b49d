import { beforeAll, describe, expect, it } from 'vitest';
import type { RenderedObject, Rendering } from '../../cli/render';
import { selectorMatches } from '../../cli/rules/label-selectors';
import {
  peopleClusterRightsRule,
  refusedRights,
  resourceMatches,
} from '../../cli/rules/people-cluster-rights';
import { exceptionKey } from '../../cli/rules/rule';
import type { PlatformConfig } from '../../platform/schema';
import { FIXTURE_ENVIRONMENTS, fixtureConfig, renderConfigs } from '../helpers';

const RBAC = 'rbac.authorization.k8s.io';

let configs: PlatformConfig[];
let base: Rendering;

beforeAll(() => {
  configs = FIXTURE_ENVIRONMENTS.map((env) => fixtureConfig(env));
  base = renderConfigs(configs);
});

/** The fixture rendering with `objects` added to prod-blue's rbac component, or changed by `edit`. */
function withObjects(objects: Record<string, any>[], edit?: (objects: any[]) => void): Rendering {
  const copy = structuredClone(base.objects) as any[];
  edit?.(copy);
  const added: RenderedObject[] = objects.map((object) => ({
    environment: 'prod',
    cluster: 'prod-blue',
    component: 'rbac',
    path: `prod-blue/rbac/${object.kind.toLowerCase()}_${object.metadata.name}.yaml`,
    object,
  }));
  return { ...base, objects: [...copy, ...added] };
}

const clusterRole = (name: string, rules: unknown[], extra: Record<string, any> = {}) => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'ClusterRole',
  metadata: { name, ...extra.metadata },
  rules,
  ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}),
});

function binding(
  kind: 'ClusterRoleBinding' | 'RoleBinding',
  name: string,
  role: string,
  subjects: { kind: string; name: string }[],
  namespace?: string,
  roleKind = 'ClusterRole',
) {
  return {
    apiVersion: `${RBAC}/v1`,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: RBAC, kind: roleKind, name: role },
    subjects: subjects.map((s) => ({ apiGroup: RBAC, ...s })),
  };
}

const group = (name: string) => ({ kind: 'Group', name });
const check = (rendering: Rendering) => peopleClusterRightsRule.check({ rendering, configs });
const messages = (rendering: Rendering) => check(rendering).map((f) => f.message);

describe('rule people-cluster-rights', () => {
  it('passes the fixtures of every environment, whose people bindings it reads', () => {
    expect(check(base)).toEqual([]);
    // Not vacuous: every cluster binds people, cluster-wide (readonly) and in app namespaces.
    const people = base.objects.filter(
      (o) =>
        (o.object.kind === 'RoleBinding' || o.object.kind === 'ClusterRoleBinding') &&
        ((o.object.subjects as any[]) ?? []).some((s) => s.kind === 'Group'),
    );
    expect(new Set(people.map((o) => o.cluster))).toEqual(
      new Set(['dev-blue', 'prod-blue', 'prod-green', 'stage-green']),
    );
  });

  it('fails a ClusterRoleBinding of readwrite to edit, and names the fix', () => {
    const r = withObjects([
      binding('ClusterRoleBinding', 'readwrite-role-edit', 'edit', [group('readwrite')]),
    ]);
    expect(check(r)).toEqual([
      {
        file: 'prod-blue/rbac/clusterrolebinding_readwrite-role-edit.yaml',
        message:
          'ClusterRoleBinding readwrite-role-edit gives group readwrite (mapped by access) the ClusterRole edit cluster-wide, kube-system and argocd included: it grants write, exec and Secrets (built-in edit); give people write and debug rights with appAccess (RoleBindings in app namespaces) or cluster admin with system:masters',
        subject: {},
      },
    ]);
  });

  it('fails the rendered readonly binding pointed at edit, with its annotations as the subject', () => {
    const r = withObjects([], (objects) => {
      const view = objects.find(
        (o) =>
          o.cluster === 'prod-blue' &&
          o.object.kind === 'ClusterRoleBinding' &&
          o.object.metadata.name === 'readonly-role-view',
      );
      view.object.roleRef.name = 'edit';
    });
    expect(check(r)).toEqual([
      {
        file: 'prod-blue/rbac/clusterrolebinding.rbac.authorization.k8s.io_readonly-role-view.yaml',
        message: expect.stringContaining('ClusterRoleBinding readonly-role-view gives group readonly'),
        subject: { 'argocd.argoproj.io/sync-wave': '-2' },
      },
    ]);
  });

  it('fails admin and cluster-admin bound cluster-wide to a people group', () => {
    const r = withObjects([
      binding('ClusterRoleBinding', 'a', 'admin', [group('debugmode')]),
      binding('ClusterRoleBinding', 'b', 'cluster-admin', [group('readonly')]),
    ]);
    expect(messages(r)).toHaveLength(2);
    expect(messages(r)[0]).toContain('the ClusterRole admin cluster-wide');
    expect(messages(r)[1]).toContain('every right (built-in cluster-admin)');
  });

  it('fails a custom ClusterRole with pods/exec bound cluster-wide to the debugmode group', () => {
    const r = withObjects([
      clusterRole('shell', [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] }]),
      binding('ClusterRoleBinding', 'shell', 'shell', [group('debugmode')]),
    ]);
    expect(messages(r)).toEqual([
      expect.stringMatching(
        /^ClusterRoleBinding shell gives group debugmode \(mapped by access\) the ClusterRole shell cluster-wide, kube-system and argocd included: it grants pods\/exec; create on pods, pods\/exec;/,
      ),
    ]);
  });

  it('fails the debugmode ClusterRole bound cluster-wide, as the chart did before', () => {
    const r = withObjects([
      binding('ClusterRoleBinding', 'debugmode-role-debugmode', 'debugmode', [group('debugmode')]),
    ]);
    const [message] = messages(r);
    for (const right of ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/ephemeralcontainers']) {
      expect(message).toContain(right);
    }
  });

  it('fails a read-only ClusterRole over every resource: * covers Secrets and the exec family', () => {
    const r = withObjects([
      clusterRole('read-all', [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }]),
      binding('ClusterRoleBinding', 'read-all', 'read-all', [group('readonly')]),
    ]);
    expect(messages(r)).toEqual([
      expect.stringContaining(
        'it grants pods/exec; pods/attach; pods/portforward; pods/ephemeralcontainers; secrets;',
      ),
    ]);
  });

  it('fails a ClusterRole that aggregates a role granting Secrets', () => {
    const r = withObjects([
      clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], {
        metadata: { labels: { 'example.com/aggregate-to-support': 'true' } },
      }),
      clusterRole('support', [], {
        aggregationRule: {
          clusterRoleSelectors: [
            { matchExpressions: [{ key: 'example.com/aggregate-to-support', operator: 'Exists' }] },
          ],
        },
      }),
      binding('ClusterRoleBinding', 'support', 'support', [group('readonly')]),
    ]);
    expect(messages(r)).toEqual([
      expect.stringContaining('it grants secrets (aggregated from secret-reader)'),
    ]);
  });

  it('fails an aggregationRule that selects a built-in admin role by its labels', () => {
    const r = withObjects([
      clusterRole('everything', [], {
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }],
        },
      }),
      binding('ClusterRoleBinding', 'everything', 'everything', [group('readonly')]),
    ]);
    expect(messages(r)[0]).toContain('every right (built-in cluster-admin) (aggregated from cluster-admin)');
  });

  it('fails the readonly view binding once a rendered role with exec rights aggregates into view', () => {
    const r = withObjects([
      clusterRole('view-exec', [{ apiGroups: [''], resources: ['*/exec'], verbs: ['create'] }], {
        metadata: { labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      }),
    ]);
    expect(messages(r)).toEqual([
      expect.stringMatching(
        /^ClusterRoleBinding readonly-role-view gives group readonly \(mapped by access\) the ClusterRole view .*pods\/exec \(aggregated from view-exec\)/,
      ),
    ]);
  });

  it('fails a RoleBinding giving people debug or edit rights in kube-system, argocd or an add-on namespace', () => {
    const r = withObjects([
      binding('RoleBinding', 'debug', 'debugmode', [group('debugmode')], 'kube-system'),
      binding('RoleBinding', 'edit', 'edit', [group('readwrite')], 'argocd'),
      binding('RoleBinding', 'edit', 'edit', [group('readwrite')], 'overprovisioning'),
    ]);
    expect(messages(r).map((m) => m.slice(0, m.indexOf(':')))).toEqual([
      'RoleBinding kube-system/debug gives group debugmode (mapped by access) the ClusterRole debugmode in kube-system, which is not the namespace of an app on prod-blue',
      'RoleBinding argocd/edit gives group readwrite (mapped by access) the ClusterRole edit in argocd, which is not the namespace of an app on prod-blue',
      'RoleBinding overprovisioning/edit gives group readwrite (mapped by access) the ClusterRole edit in overprovisioning, which is not the namespace of an app on prod-blue',
    ]);
  });

  it('fails a RoleBinding to a namespaced Role with Secrets rights outside the app namespaces', () => {
    const role = {
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name: 'secrets', namespace: 'kube-system' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
    };
    const r = withObjects([
      role,
      binding('RoleBinding', 'secrets', 'secrets', [group('readonly')], 'kube-system', 'Role'),
    ]);
    expect(messages(r)).toEqual([expect.stringContaining('the Role secrets in kube-system')]);
  });

  it('fails a binding to an access username, not only to a group', () => {
    const r = withObjects([
      binding('ClusterRoleBinding', 'user-edit', 'edit', [{ kind: 'User', name: 'kubernetes-readonly' }]),
    ]);
    expect(messages(r)[0]).toContain(
      'gives user kubernetes-readonly (mapped by access) the ClusterRole edit',
    );
  });

  it('fails a ClusterRole it cannot resolve, rather than trusting it', () => {
    const r = withObjects([binding('ClusterRoleBinding', 'mystery', 'made-by-hand', [group('readwrite')])]);
    expect(messages(r)[0]).toContain(
      'which is neither rendered on prod-blue nor a built-in role the rule knows',
    );
  });

  it('passes system:masters and its users, service accounts, unmapped groups and view, and the app namespaces', () => {
    const r = withObjects([
      binding('ClusterRoleBinding', 'admins', 'cluster-admin', [group('system:masters')]),
      // The user of the system:masters entry is an admin already.
      binding('ClusterRoleBinding', 'admin-user', 'cluster-admin', [
        { kind: 'User', name: 'kubernetes-admin' },
      ]),
      binding('ClusterRoleBinding', 'sa', 'edit', [
        { kind: 'ServiceAccount', name: 'x', namespace: 'web' } as any,
      ]),
      binding('ClusterRoleBinding', 'nobody', 'edit', [group('not-in-access')]),
      binding('ClusterRoleBinding', 'viewers', 'view', [group('debugmode')]),
      binding('RoleBinding', 'admin', 'admin', [group('readwrite')], 'payments'),
    ]);
    expect(check(r)).toEqual([]);
  });

  it("gives each finding the binding's annotations, where an exception is written", () => {
    const reason = 'break-glass binding, removed after the incident';
    const crb = binding('ClusterRoleBinding', 'incident', 'edit', [group('readwrite')]) as any;
    crb.metadata.annotations = { [exceptionKey(peopleClusterRightsRule.id)]: reason };
    expect(check(withObjects([crb]))[0]?.subject).toEqual({
      'policy.eks-platform.io/exception-people-cluster-rights': reason,
    });
  });

  it('reads the people of each environment from its own access entries', () => {
    // stage maps no readwrite group: a binding of it there reaches nobody.
    const r = withObjects([], (objects) =>
      objects.push({
        environment: 'stage',
        cluster: 'stage-green',
        component: 'rbac',
        path: 'stage-green/rbac/x.yaml',
        object: binding('ClusterRoleBinding', 'x', 'edit', [group('readwrite'), group('debugmode')]),
      }),
    );
    expect(messages(r)).toEqual([
      expect.stringContaining('ClusterRoleBinding x gives group debugmode (mapped'),
    ]);
  });
});

describe('RBAC matching of people-cluster-rights', () => {
  it('matches resources as the API server does: *, the exact name, and * over a subresource', () => {
    expect(resourceMatches(['*'], 'secrets')).toBe(true);
    expect(resourceMatches(['*/exec'], 'pods/exec')).toBe(true);
    expect(resourceMatches(['*/exec'], 'secrets')).toBe(false);
    expect(resourceMatches(['pods/*'], 'pods/exec')).toBe(false);
    expect(resourceMatches(['pods'], 'pods/exec')).toBe(false);
  });

  it('counts write verbs on any group and any verb on Secrets, and nothing for read-only rules', () => {
    expect(refusedRights([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }])).toEqual([
      'patch on deployments',
    ]);
    expect(refusedRights([{ apiGroups: [''], resources: ['secrets'], verbs: ['watch'] }])).toEqual([
      'secrets',
    ]);
    expect(refusedRights([{ apiGroups: ['apps'], resources: ['secrets'], verbs: ['get'] }])).toEqual([]);
    expect(
      refusedRights([{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] }]),
    ).toEqual([]);
  });

  it('matches label selectors with matchLabels and every set-based operator', () => {
    const labels = { a: '1', b: '2' };
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '1' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '2' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }, labels)).toBe(
      true,
    );
    expect(
      selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, labels),
    ).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }, labels)).toBe(
      true,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'Exists' }] }, labels)).toBe(false);
  });
});
