import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { Construct } from 'constructs';
import { accessEntryKey } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';

/** The Kubernetes group of cluster administrators in aws-auth (seed 001). */
export const SYSTEM_MASTERS = 'system:masters';

/** The EKS access policy equivalent to `system:masters` (cluster-admin on every namespace). */
export const CLUSTER_ADMIN_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

export interface ClusterAccessProps {
  /** The EKS cluster's name: pass the aws_eks_cluster `name` attribute so entries follow the cluster. */
  readonly clusterName: string;
  /** The IAM roles and their Kubernetes groups (config `access`). */
  readonly access: PlatformConfig['access'];
  /**
   * The role that runs the bootstrap stack (config `gitops.bootstrapRoleArn`): cluster admin, so it
   * can install Argo CD. Its entry is the access role's when `access` lists it too.
   */
  readonly bootstrapRoleArn?: string;
}

/**
 * Cluster access through EKS access entries (seed 001's roles): one STANDARD entry per role with
 * its username and Kubernetes groups. EKS rejects groups starting with `system:` in an access
 * entry, so `system:masters` becomes an AmazonEKSClusterAdminPolicy association at cluster scope.
 * https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
 * https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
 *
 * The bootstrap role (`gitops.bootstrapRoleArn`) gets the same cluster-admin association, so the
 * deploy identity that installs Argo CD need not be a person's role.
 *
 * Only for the API and API_AND_CONFIG_MAP authentication modes; in CONFIG_MAP mode the same
 * roles are mapped by the aws-auth ConfigMap instead.
 */
export class ClusterAccess extends Construct {
  /** Access entries by logical ID. */
  readonly entries: Readonly<Record<string, EksAccessEntry>>;

  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    const entries: Record<string, EksAccessEntry> = {};
    const owners = new Map<string, string>();
    for (const access of props.access) {
      const key = accessEntryKey(access.roleArn);
      const owner = owners.get(key);
      if (owner !== undefined) {
        throw new Error(
          `access: roles ${owner} and ${access.roleArn} both make the access entry id "${key}"; rename one role`,
        );
      }
      owners.set(key, access.roleArn);

      const groups = access.groups.filter((group) => group !== SYSTEM_MASTERS);
      const entry = new EksAccessEntry(this, key, {
        clusterName: props.clusterName,
        principalArn: access.roleArn,
        type: 'STANDARD',
        userName: access.username,
        kubernetesGroups: groups.length > 0 ? groups : undefined,
      });
      entry.overrideLogicalId(`${id}-${key}`);
      entries[`${id}-${key}`] = entry;

      if (access.groups.includes(SYSTEM_MASTERS) || access.roleArn === props.bootstrapRoleArn) {
        this.clusterAdmin(id, key, entry);
      }
    }
    const bootstrap = props.bootstrapRoleArn;
    if (bootstrap !== undefined && !props.access.some((a) => a.roleArn === bootstrap)) {
      const key = accessEntryKey(bootstrap);
      const owner = owners.get(key);
      if (owner !== undefined) {
        throw new Error(
          `gitops.bootstrapRoleArn ${bootstrap} and access role ${owner} both make the access entry id "${key}"; rename one role`,
        );
      }
      // No username or groups: EKS names the user after the role's session, and the cluster-admin
      // policy alone is what the bootstrap needs.
      const entry = new EksAccessEntry(this, key, {
        clusterName: props.clusterName,
        principalArn: bootstrap,
        type: 'STANDARD',
      });
      entry.overrideLogicalId(`${id}-${key}`);
      entries[`${id}-${key}`] = entry;
      this.clusterAdmin(id, key, entry);
    }
    this.entries = entries;
  }

  /** AmazonEKSClusterAdminPolicy at cluster scope for one entry. */
  private clusterAdmin(id: string, key: string, entry: EksAccessEntry): void {
    const admin = new EksAccessPolicyAssociation(this, `${key}-cluster-admin`, {
      // The entry's attributes, not the config's strings: the association needs the entry first.
      clusterName: entry.clusterName,
      principalArn: entry.principalArn,
      policyArn: CLUSTER_ADMIN_POLICY_ARN,
      accessScope: { type: 'cluster' },
    });
    admin.overrideLogicalId(`${id}-${key}-cluster-admin`);
  }
}
