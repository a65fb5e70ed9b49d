/**
 * Who gets write and debug rights in which application namespace (DESIGN §8, issue 14): the
 * `appAccess` entries of the config, or the seed's two groups in every app namespace when the
 * config has none. The rights are granted by RoleBindings in each app's namespace, never
 * cluster-wide; `readonly` keeps `view` cluster-wide (manifests/charts/rbac-chart.ts).
 */
import { appNamespace } from './names';
import type { AppConfig, PlatformConfig } from './schema';

/**
 * The rights `appAccess` can give, and the ClusterRole each one binds (as a role template, in a
 * RoleBinding). `edit` is Kubernetes' built-in user-facing role: write to most objects of the
 * namespace, Secrets included, and running pods as any ServiceAccount of the namespace
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles). `debug` is the
 * platform's `debugmode` ClusterRole (seed 001): exec, attach, port-forward, logs, ephemeral
 * containers.
 */
export const APP_ACCESS_ROLES = { edit: 'edit', debug: 'debugmode' } as const satisfies Record<
  string,
  string
>;

export type AppAccessRole = keyof typeof APP_ACCESS_ROLES;

export const APP_ACCESS_ROLE_NAMES = Object.keys(APP_ACCESS_ROLES) as readonly AppAccessRole[];

export interface AppAccessEntry {
  readonly group: string;
  readonly roles: readonly AppAccessRole[];
  /** App namespaces; undefined means every app namespace of the environment. */
  readonly namespaces?: readonly string[];
}

/**
 * Without `appAccess`: the seed's groups (seed 001's aws-auth), `readwrite` edits and `debugmode`
 * debugs, in every app namespace.
 */
export const DEFAULT_APP_ACCESS: readonly AppAccessEntry[] = [
  { group: 'readwrite', roles: ['edit'] },
  { group: 'debugmode', roles: ['debug'] },
];

/** The `appAccess` entries in force: the config's, or the default. */
export function appAccessEntries(config: Pick<PlatformConfig, 'appAccess'>): readonly AppAccessEntry[] {
  return config.appAccess ?? DEFAULT_APP_ACCESS;
}

export interface AppAccessGrant {
  readonly role: AppAccessRole;
  /** The ClusterRole the RoleBinding references. */
  readonly clusterRole: string;
  /** The groups that get the role in the namespace, in config order. */
  readonly groups: readonly string[];
}

/** The rights given in an app's namespace, one grant per role that some group gets there. */
export function appAccessGrants(
  config: Pick<PlatformConfig, 'appAccess'>,
  app: AppConfig,
): readonly AppAccessGrant[] {
  const namespace = appNamespace(app);
  const entries = appAccessEntries(config).filter(
    (e) => e.namespaces === undefined || e.namespaces.includes(namespace),
  );
  return APP_ACCESS_ROLE_NAMES.map((role) => ({
    role,
    clusterRole: APP_ACCESS_ROLES[role],
    groups: [...new Set(entries.filter((e) => e.roles.includes(role)).map((e) => e.group))],
  })).filter((grant) => grant.groups.length > 0);
}
