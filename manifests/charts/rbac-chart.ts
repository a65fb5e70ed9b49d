import { Chart } from 'cdk8s';
import { KubeClusterRole, KubeClusterRoleBinding, KubeConfigMap } from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { APP_ACCESS_ROLES } from '../../platform/app-access';
import { nodeRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { annotateSyncWaves } from '../sync-waves';

export interface RbacChartProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
}

/**
 * The group that views every namespace (seed 001), bound to the built-in `view` ClusterRole
 * cluster-wide. `view` reads no Secrets ("since reading the contents of Secrets enables access to
 * ServiceAccount credentials in the namespace") nor Roles and RoleBindings, and writes nothing
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles), so it gives
 * no way into kube-system's or argocd's service accounts; the `people-cluster-rights` rule checks
 * that no rendered ClusterRole aggregates more into it.
 */
export const VIEW_GROUP = { group: 'readonly', clusterRole: 'view' } as const;

/**
 * Who may do what (seed 001): the `readonly` group views every namespace. Write (`edit`) and debug
 * rights are RoleBindings in the app namespaces (`appAccess`, manifests/constructs/app-access-bindings.ts),
 * never ClusterRoleBindings: bound cluster-wide they reached kube-system and argocd, whose service
 * accounts (Argo CD's controller is cluster admin, external-dns writes Route 53) a pod started
 * there or an exec into their pods would hand over. This chart keeps the `debugmode` ClusterRole
 * those RoleBindings reference as a template. In CONFIG_MAP mode the `aws-auth` ConfigMap also
 * maps IAM roles to users and groups: the nodes' role first, then every `access` entry.
 */
export class RbacChart extends Chart {
  constructor(scope: Construct, id: string, props: RbacChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster } = props;

    new KubeClusterRoleBinding(this, `${VIEW_GROUP.group}-binding`, {
      metadata: { name: `${VIEW_GROUP.group}-role-${VIEW_GROUP.clusterRole}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: VIEW_GROUP.clusterRole },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: VIEW_GROUP.group }],
    });

    // A role template, bound by no ClusterRoleBinding: only RoleBindings in app namespaces use it.
    new KubeClusterRole(this, 'debugmode-role', {
      metadata: { name: APP_ACCESS_ROLES.debug },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: [''],
          resources: ['pods/exec', 'pods/attach', 'pods/portforward'],
          // kubectl streams over WebSockets, opened with a GET; from 1.35 the API server also
          // requires create for them (https://github.com/kubernetes/kubernetes/pull/134577).
          verbs: ['get', 'create'],
        },
        // kubectl debug adds an ephemeral container by patching this subresource.
        { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['get', 'patch', 'update'] },
      ],
    });

    if (rendersAwsAuth(config.authenticationMode)) {
      new KubeConfigMap(this, 'aws-auth', {
        metadata: { name: 'aws-auth', namespace: 'kube-system' },
        data: { mapRoles: stringify(awsAuthRoles(config, cluster)) },
      });
    }

    annotateSyncWaves(this);
  }
}

/**
 * Whether the cluster reads `aws-auth` from git. Only in CONFIG_MAP mode: in API_AND_CONFIG_MAP
 * the infra stack maps `access` with access entries, which take precedence over the ConfigMap
 * for the same role, and EKS creates the node role's access entry itself, so a rendered ConfigMap
 * would be a second, shadowed copy of the same mapping
 * (https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html).
 */
export function rendersAwsAuth(mode: PlatformConfig['authenticationMode']): boolean {
  return mode === 'CONFIG_MAP';
}

/**
 * The `mapRoles` entries: the node role (without it nodes cannot join), then `access`.
 * aws-auth matches role ARNs without their IAM path, so a path is dropped
 * (https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting_iam.html#security-iam-troubleshoot-ConfigMap,
 * https://github.com/kubernetes-sigs/aws-iam-authenticator/issues/153).
 */
export function awsAuthRoles(config: PlatformConfig, cluster: ClusterConfig) {
  return [
    {
      rolearn: nodeRole(config, cluster).roleArn,
      username: 'system:node:{{EC2PrivateDNSName}}',
      groups: ['system:bootstrappers', 'system:nodes'],
    },
    ...config.access.map((entry) => ({
      rolearn: withoutPath(entry.roleArn),
      username: entry.username,
      groups: [...entry.groups],
    })),
  ];
}

function withoutPath(roleArn: string): string {
  const marker = ':role/';
  return (
    roleArn.slice(0, roleArn.indexOf(marker) + marker.length) + roleArn.slice(roleArn.lastIndexOf('/') + 1)
  );
}
