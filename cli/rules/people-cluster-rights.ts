/**
 * Rule `people-cluster-rights` (DESIGN §8, issue 14): a person (a group or user an `access` entry
 * maps, other than system:masters, the documented admin path) gets write, exec-family, Secrets or
 * admin rights only in application namespaces. Bound cluster-wide, or in kube-system, argocd or
 * an add-on namespace, those rights reach the platform's own service accounts: a pod started as
 * Argo CD's controller, or an exec into external-dns or cluster-autoscaler, hands over their
 * tokens (cluster admin, Route 53 writes, Auto Scaling writes).
 *
 * A binding's role is resolved as the API server would: the rendered ClusterRoles and Roles of the
 * cluster, their `*` wildcards (`*` and `*`/exec forms), their aggregationRule (against rendered
 * roles and the built-in ones), and the built-in user-facing roles by name.
 */
import { appClusters, appNamespace, clusterName } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import type { RenderedObject } from '../render';
import { type LabelSelector, selectorMatches } from './label-selectors';
import { type Finding, objectAnnotations, type Rule } from './rule';

const RULE_ID = 'people-cluster-rights';

interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
}

/** A role as the rule sees it: its own rules, labels, and the selectors it aggregates. */
interface RoleModel {
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly PolicyRule[];
  readonly aggregates: readonly LabelSelector[];
  /** For built-in roles whose rules are not modelled: what they grant, in words. */
  readonly grants?: string;
}

const BOOTSTRAP = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') => ({
  [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true',
});

/**
 * The built-in ClusterRoles a binding may name, with the labels and aggregation rules the API
 * server gives them (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles,
 * https://github.com/kubernetes/kubernetes/blob/master/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go):
 * `cluster-admin`, `admin` and `edit` are refused by name (edit writes most objects, reads Secrets
 * and runs pods as any ServiceAccount; admin adds RoleBindings), `view` is read-only without Secrets,
 * Roles or RoleBindings, but grows with every ClusterRole labelled aggregate-to-view, so what
 * rendered roles aggregate into it is checked too.
 */
const BUILT_IN_CLUSTER_ROLES: Readonly<Record<string, RoleModel>> = {
  'cluster-admin': { labels: BOOTSTRAP, rules: [], aggregates: [], grants: 'every right' },
  admin: {
    labels: BOOTSTRAP,
    rules: [],
    aggregates: [{ matchLabels: AGGREGATE_TO('admin') }],
    grants: 'write, exec, Secrets and RoleBindings',
  },
  edit: {
    labels: { ...BOOTSTRAP, ...AGGREGATE_TO('admin') },
    rules: [],
    aggregates: [{ matchLabels: AGGREGATE_TO('edit') }],
    grants: 'write, exec and Secrets',
  },
  view: {
    labels: { ...BOOTSTRAP, ...AGGREGATE_TO('edit') },
    rules: [],
    aggregates: [{ matchLabels: AGGREGATE_TO('view') }],
  },
  'system:aggregate-to-admin': {
    labels: { ...BOOTSTRAP, ...AGGREGATE_TO('admin') },
    rules: [],
    aggregates: [],
    grants: 'write and RoleBindings',
  },
  'system:aggregate-to-edit': {
    labels: { ...BOOTSTRAP, ...AGGREGATE_TO('edit') },
    rules: [],
    aggregates: [],
    grants: 'write, exec and Secrets',
  },
  'system:aggregate-to-view': {
    labels: { ...BOOTSTRAP, ...AGGREGATE_TO('view') },
    rules: [],
    aggregates: [],
  },
};

/** Verbs that change objects or widen rights (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb). */
const WRITE_VERBS = new Set([
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'escalate',
  'bind',
  'impersonate',
]);

/** Core-group resources whose any verb is refused: the exec family and Secrets. */
const SENSITIVE_RESOURCES = [
  'pods/exec',
  'pods/attach',
  'pods/portforward',
  'pods/ephemeralcontainers',
  'secrets',
] as const;

/**
 * Whether a rule's resources cover `resource` (`pods/exec`), as the API server matches them: `*`,
 * the exact name, or `*` over the subresource (`*`/exec); `pods` then `/*` matches nothing
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/rbac/v1/evaluation_helpers.go, ResourceMatches).
 */
export function resourceMatches(ruleResources: readonly string[], resource: string): boolean {
  const slash = resource.indexOf('/');
  const subresource = slash < 0 ? '' : resource.slice(slash + 1);
  return ruleResources.some(
    (r) => r === '*' || r === resource || (subresource !== '' && r === `*/${subresource}`),
  );
}

/** The refused rights a list of policy rules grants, in words; empty when none. */
export function refusedRights(rules: readonly PolicyRule[]): string[] {
  const rights = new Set<string>();
  for (const rule of rules) {
    const resources = rule.resources ?? [];
    const verbs = rule.verbs ?? [];
    if (resources.length === 0 || verbs.length === 0) continue;
    const groups = rule.apiGroups ?? [];
    if (groups.includes('') || groups.includes('*')) {
      for (const resource of SENSITIVE_RESOURCES) {
        if (resourceMatches(resources, resource)) rights.add(resource);
      }
    }
    const writes = verbs.filter((v) => v === '*' || WRITE_VERBS.has(v));
    if (writes.length > 0) rights.add(`${writes.join('/')} on ${resources.join(', ')}`);
  }
  return [...rights];
}

const metadataOf = (object: Record<string, unknown>) =>
  (object.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };

function modelOf(object: Record<string, unknown>): RoleModel {
  const aggregation = object.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined;
  return {
    labels: metadataOf(object).labels ?? {},
    rules: (object.rules as PolicyRule[] | undefined) ?? [],
    aggregates: aggregation?.clusterRoleSelectors ?? [],
  };
}

/** The ClusterRoles of one cluster: rendered ones first, then the built-ins not rendered. */
function clusterRolesOf(objects: readonly RenderedObject[]): Map<string, RoleModel> {
  const roles = new Map<string, RoleModel>();
  for (const o of objects) {
    if (o.object.kind === 'ClusterRole') roles.set(metadataOf(o.object).name ?? '', modelOf(o.object));
  }
  for (const [name, model] of Object.entries(BUILT_IN_CLUSTER_ROLES)) {
    if (!roles.has(name)) roles.set(name, model);
  }
  return roles;
}

/**
 * What a ClusterRole grants that people may not hold outside app namespaces, following its
 * aggregation; undefined when the role is neither rendered nor a built-in the rule knows.
 */
function clusterRoleRights(
  name: string,
  roles: ReadonlyMap<string, RoleModel>,
  seen: Set<string> = new Set(),
): string[] | undefined {
  const role = roles.get(name);
  if (role === undefined) return undefined;
  if (seen.has(name)) return [];
  seen.add(name);
  const rights = new Set(refusedRights(role.rules));
  if (role.grants !== undefined) rights.add(`${role.grants} (built-in ${name})`);
  for (const selector of role.aggregates) {
    for (const [other, model] of roles) {
      if (other === name || !selectorMatches(selector, model.labels)) continue;
      // A built-in role's `grants` already sums up the built-ins it aggregates.
      if (role.grants !== undefined && BUILT_IN_CLUSTER_ROLES[other] === model) continue;
      for (const right of clusterRoleRights(other, roles, seen) ?? [])
        rights.add(`${right} (aggregated from ${other})`);
    }
  }
  return [...rights];
}

interface Subject {
  readonly kind?: string;
  readonly name?: string;
}

/**
 * The groups and users `access` maps to people: every group but system:masters, and the users of
 * the entries that are not in system:masters (those are cluster admins already).
 */
function peopleOf(config: PlatformConfig) {
  return {
    groups: new Set(config.access.flatMap((a) => a.groups).filter((g) => g !== 'system:masters')),
    users: new Set(config.access.filter((a) => !a.groups.includes('system:masters')).map((a) => a.username)),
  };
}

/** The namespaces of the apps that run on each cluster of the configs, by cluster name. */
function appNamespacesByCluster(configs: readonly PlatformConfig[]): Map<string, Set<string>> {
  const byCluster = new Map<string, Set<string>>();
  for (const config of configs) {
    for (const cluster of config.clusters) byCluster.set(clusterName(config, cluster), new Set());
    for (const app of config.apps) {
      for (const color of appClusters(config, app)) {
        byCluster.get(clusterName(config, { color }))?.add(appNamespace(app));
      }
    }
  }
  return byCluster;
}

function describeSubjects(subjects: readonly Subject[]): string {
  return subjects.map((s) => `${s.kind === 'User' ? 'user' : 'group'} ${s.name}`).join(', ');
}

export const peopleClusterRightsRule: Rule<'people-cluster-rights'> = {
  id: RULE_ID,
  summary:
    'No ClusterRoleBinding, and no RoleBinding outside the app namespaces, gives a group or user mapped from access (other than system:masters) write, exec, attach, port-forward, ephemeral-container or Secrets rights, or edit, admin or cluster-admin: those rights reach the service accounts of kube-system and argocd.',
  check({ rendering, configs }) {
    const findings: Finding[] = [];
    const configOf = new Map(configs.map((c) => [c.name, c]));
    const appNamespaces = appNamespacesByCluster(configs);
    const byCluster = new Map<string, RenderedObject[]>();
    for (const o of rendering.objects) {
      const list = byCluster.get(o.cluster);
      if (list === undefined) byCluster.set(o.cluster, [o]);
      else list.push(o);
    }
    for (const [cluster, objects] of byCluster) {
      const config = configOf.get(objects[0]?.environment ?? '');
      if (config === undefined) continue;
      const people = peopleOf(config);
      const clusterRoles = clusterRolesOf(objects);
      const namespaceRoles = new Map(
        objects
          .filter((o) => o.object.kind === 'Role')
          .map((o) => {
            const m = metadataOf(o.object);
            return [`${m.namespace}/${m.name}`, modelOf(o.object)] as const;
          }),
      );
      for (const o of objects) {
        const kind = o.object.kind;
        if (kind !== 'ClusterRoleBinding' && kind !== 'RoleBinding') continue;
        const { name, namespace } = metadataOf(o.object);
        if (kind === 'RoleBinding' && appNamespaces.get(cluster)?.has(namespace ?? '')) continue;
        const subjects = ((o.object.subjects as Subject[] | undefined) ?? []).filter(
          (s) =>
            (s.kind === 'Group' && people.groups.has(s.name ?? '')) ||
            (s.kind === 'User' && people.users.has(s.name ?? '')),
        );
        if (subjects.length === 0) continue;
        const roleRef = (o.object.roleRef ?? {}) as { kind?: string; name?: string };
        const roleName = roleRef.name ?? '';
        const namespaceRole = namespaceRoles.get(`${namespace}/${roleName}`);
        const rights =
          roleRef.kind !== 'Role'
            ? clusterRoleRights(roleName, clusterRoles)
            : namespaceRole === undefined
              ? undefined
              : refusedRights(namespaceRole.rules);
        const where =
          kind === 'ClusterRoleBinding'
            ? 'cluster-wide, kube-system and argocd included'
            : `in ${namespace}, which is not the namespace of an app on ${cluster}`;
        const fix = `give people write and debug rights with appAccess (RoleBindings in app namespaces) or cluster admin with system:masters`;
        const who = `${kind} ${kind === 'RoleBinding' ? `${namespace}/` : ''}${name} gives ${describeSubjects(subjects)} (mapped by access)`;
        if (rights === undefined) {
          findings.push({
            file: o.path,
            message: `${who} the ${roleRef.kind} ${roleName} ${where}, which is neither rendered on ${cluster} nor a built-in role the rule knows (${Object.keys(BUILT_IN_CLUSTER_ROLES).join(', ')}): its rights cannot be checked`,
            subject: objectAnnotations(o.object),
          });
        } else if (rights.length > 0) {
          findings.push({
            file: o.path,
            message: `${who} the ${roleRef.kind} ${roleName} ${where}: it grants ${rights.join('; ')}; ${fix}`,
            subject: objectAnnotations(o.object),
          });
        }
      }
    }
    return findings;
  },
};
