import { Chart } from 'cdk8s';
import { KubeClusterRole, KubeClusterRoleBinding, KubeConfigMap } from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { nodeRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { annotateSyncWaves } from '../sync-waves';

export interface RbacChartProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
}

/** The Kubernetes groups `access` entries name (seed 001), and the built-in role each is bound to. */
export const ACCESS_GROUP_ROLES = { readonly: 'view', readwrite: 'edit' } as const;
export const DEBUG_GROUP = 'debugmode';

/**
 * Who may do what (seed 001): the `readonly` group views, `readwrite` edits, `debugmode` may
 * exec, attach, port-forward, read logs and add ephemeral containers. In CONFIG_MAP mode the
 * `aws-auth` ConfigMap also maps IAM roles to users and groups: the nodes' role first, then every
 * `access` entry.
 */
export class RbacChart extends Chart {
  constructor(scope: Construct, id: string, props: RbacChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster } = props;

    for (const [group, role] of Object.entries(ACCESS_GROUP_ROLES)) {
      new KubeClusterRoleBinding(this, `${group}-binding`, {
        metadata: { name: `${group}-role-${role}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      });
    }

    new KubeClusterRole(this, 'debugmode-role', {
      metadata: { name: DEBUG_GROUP },
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

    new KubeClusterRoleBinding(this, 'debugmode-binding', {
      metadata: { name: `${DEBUG_GROUP}-role-${DEBUG_GROUP}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: DEBUG_GROUP },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: DEBUG_GROUP }],
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
