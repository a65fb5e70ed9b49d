import { describe, expect, it } from 'vitest';
import { CLUSTER_AUTOSCALER_IMAGES, clusterAutoscalerImage } from '../../platform/images';
import { irsaRole } from '../../platform/names';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../platform/versions';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { render } from './addons-helpers';

const prod = fixtureConfig('prod');
const rendering = render(prod);
const deployment = (cluster: string) => findObject(rendering, cluster, 'Deployment', 'cluster-autoscaler');
const container = (cluster: string) => deployment(cluster).spec.template.spec.containers[0];

describe('cluster-autoscaler add-on', () => {
  it('gives prod-blue the 1.34 autoscaler and prod-green the 1.35 one', () => {
    expect(container('prod-blue').image).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.5');
    expect(container('prod-green').image).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2');
    for (const cluster of prod.clusters) {
      const minor = container(`prod-${cluster.color}`).image.match(/:v(\d+\.\d+)\.\d+$/)?.[1];
      expect(minor).toBe(cluster.kubernetesVersion);
    }
  });

  it('has an image of the same minor for every supported Kubernetes version', () => {
    for (const version of SUPPORTED_KUBERNETES_VERSIONS) {
      const tag = clusterAutoscalerImage(version).split(':').pop() ?? '';
      expect(tag, version).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(tag.slice(1).split('.').slice(0, 2).join('.'), version).toBe(version);
    }
    expect(Object.keys(CLUSTER_AUTOSCALER_IMAGES).sort()).toEqual([...SUPPORTED_KUBERNETES_VERSIONS].sort());
  });

  it('rejects a Kubernetes version the catalog does not cover, naming the ones it does', () => {
    expect(() => clusterAutoscalerImage('1.31')).toThrow(
      'cluster-autoscaler: no image for Kubernetes 1.31; the catalog covers 1.32, 1.33, 1.34, 1.35',
    );
  });

  it('runs with the seed flags and discovers only its own cluster’s groups', () => {
    expect(container('prod-green').command).toEqual(['./cluster-autoscaler']);
    expect(container('prod-green').args).toEqual([
      '--v=4',
      '--stderrthreshold=info',
      '--cloud-provider=aws',
      '--skip-nodes-with-local-storage=false',
      '--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod-green',
      '--balance-similar-node-groups',
      '--expander=least-waste',
    ]);
    expect(container('prod-green').env).toEqual([{ name: 'AWS_REGION', value: 'ca-central-1' }]);
    expect(deployment('prod-green').spec.template.spec.priorityClassName).toBe('system-cluster-critical');
  });

  it('annotates its ServiceAccount with the IRSA role the infra stack creates', () => {
    const role = irsaRole(prod, prod.clusters[0] as (typeof prod.clusters)[number], 'cluster-autoscaler');
    const account = findObject(rendering, 'prod-blue', 'ServiceAccount', 'cluster-autoscaler', 'kube-system');
    expect(account.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(
      'arn:aws:iam::111111111111:role/prod-blue-cluster-autoscaler',
    );
    expect(role.subject).toBe('system:serviceaccount:kube-system:cluster-autoscaler');
    expect(deployment('prod-blue').spec.template.spec.serviceAccountName).toBe(role.serviceAccount);
  });

  it('binds the upstream ClusterRole and the namespaced Role to its ServiceAccount', () => {
    const subject = [{ kind: 'ServiceAccount', name: 'cluster-autoscaler', namespace: 'kube-system' }];
    const clusterRole = findObject(rendering, 'prod-blue', 'ClusterRole', 'cluster-autoscaler');
    const granted = (group: string, resource: string) =>
      clusterRole.rules
        .filter((r: any) => r.apiGroups.includes(group) && r.resources.includes(resource) && !r.resourceNames)
        .flatMap((r: any) => r.verbs);
    expect(granted('', 'nodes')).toEqual(expect.arrayContaining(['list', 'watch', 'update']));
    expect(granted('', 'pods/eviction')).toEqual(['create']);
    expect(granted('storage.k8s.io', 'volumeattachments')).toEqual(expect.arrayContaining(['list', 'watch']));
    expect(granted('coordination.k8s.io', 'leases')).toEqual(['create']);
    expect(findObject(rendering, 'prod-blue', 'ClusterRoleBinding', 'cluster-autoscaler').subjects).toEqual(
      subject,
    );
    const roleBinding = findObject(
      rendering,
      'prod-blue',
      'RoleBinding',
      'cluster-autoscaler',
      'kube-system',
    );
    expect(roleBinding.subjects).toEqual(subject);
    expect(roleBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'cluster-autoscaler',
    });
  });

  it('is not rendered when addons.clusterAutoscaler.enabled is false', () => {
    const off = render(fixtureConfig('dev', (raw) => (raw.addons.clusterAutoscaler.enabled = false)));
    expect(objectsOf(off, 'dev-blue', 'cluster-autoscaler')).toEqual([]);
    expect(objectsOf(off, 'dev-blue', 'external-dns').length).toBeGreaterThan(0);
  });
});
