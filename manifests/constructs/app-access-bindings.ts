import { KubeRoleBinding } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { appAccessGrants } from '../../platform/app-access';
import { appNamespace } from '../../platform/names';
import type { AppConfig, PlatformConfig } from '../../platform/schema';

export interface AppAccessBindingsProps {
  readonly config: PlatformConfig;
  readonly app: AppConfig;
}

/** The name of the RoleBinding of an `appAccess` role in an app namespace, `access-<role>`. */
export function appAccessBindingName(role: string): string {
  return `access-${role}`;
}

/**
 * The people's write and debug rights in one app's namespace (`appAccess`): one RoleBinding per
 * role that some group gets there, referencing its ClusterRole as a template, so the rights stop
 * at the namespace (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding).
 *
 * They live in the app's component, not in the rbac one: Argo CD orders sync waves only inside one
 * Application, so there the binding is applied after its Namespace (wave -3, the binding -2) and
 * pruned with it, while from the rbac Application it could be applied before the app's Namespace
 * exists and fail the sync. The `debugmode` ClusterRole they reference comes from the rbac
 * component: a binding to a ClusterRole not created yet is accepted and grants nothing until it is.
 */
export class AppAccessBindings extends Construct {
  constructor(scope: Construct, id: string, props: AppAccessBindingsProps) {
    super(scope, id);
    const namespace = appNamespace(props.app);
    for (const grant of appAccessGrants(props.config, props.app)) {
      new KubeRoleBinding(this, grant.role, {
        metadata: { name: appAccessBindingName(grant.role), namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: grant.clusterRole },
        subjects: grant.groups.map((name) => ({
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Group',
          name,
        })),
      });
    }
  }
}
