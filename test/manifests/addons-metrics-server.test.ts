import { describe, expect, it } from 'vitest';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { render } from './addons-helpers';

const rendering = render(fixtureConfig('prod'));
const deployment = () => findObject(rendering, 'prod-blue', 'Deployment', 'metrics-server', 'kube-system');

describe('metrics-server add-on', () => {
  it('registers v1beta1.metrics.k8s.io with the metrics-server Service, which selects its pods', () => {
    const api = findObject(rendering, 'prod-blue', 'APIService', 'v1beta1.metrics.k8s.io');
    expect(api.apiVersion).toBe('apiregistration.k8s.io/v1');
    expect(api.metadata.namespace).toBeUndefined();
    expect(api.spec).toMatchObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
    });
    const service = findObject(rendering, 'prod-blue', 'Service', 'metrics-server', 'kube-system');
    expect(service.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }]);
    expect(service.spec.selector).toEqual(deployment().spec.template.metadata.labels);
    const container = deployment().spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ name: 'https', containerPort: 10250, protocol: 'TCP' }]);
    expect(container.args).toContain('--secure-port=10250');
    expect(container.args).toContain('--cert-dir=/tmp');
    expect(container.volumeMounts).toEqual([{ name: 'tmp-dir', mountPath: '/tmp' }]);
  });

  it('binds the aggregated reader, the auth delegator and the authentication reader', () => {
    const subjects = [{ kind: 'ServiceAccount', name: 'metrics-server', namespace: 'kube-system' }];
    const reader = findObject(rendering, 'prod-blue', 'ClusterRole', 'system:aggregated-metrics-reader');
    expect(reader.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    });
    expect(reader.rules).toEqual([
      { apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
    ]);
    const delegator = findObject(
      rendering,
      'prod-blue',
      'ClusterRoleBinding',
      'metrics-server:system:auth-delegator',
    );
    expect(delegator.roleRef.name).toBe('system:auth-delegator');
    expect(delegator.subjects).toEqual(subjects);
    const authReader = findObject(
      rendering,
      'prod-blue',
      'RoleBinding',
      'metrics-server-auth-reader',
      'kube-system',
    );
    expect(authReader.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'extension-apiserver-authentication-reader',
    });
    expect(authReader.subjects).toEqual(subjects);
    const own = findObject(rendering, 'prod-blue', 'ClusterRoleBinding', 'system:metrics-server');
    expect(own.roleRef.name).toBe('system:metrics-server');
    expect(findObject(rendering, 'prod-blue', 'ClusterRole', 'system:metrics-server').rules).toContainEqual({
      apiGroups: [''],
      resources: ['nodes/metrics'],
      verbs: ['get'],
    });
  });

  it('runs the newest metrics-server that supports the cluster’s Kubernetes minor', () => {
    const image = (r: typeof rendering, cluster: string) =>
      findObject(r, cluster, 'Deployment', 'metrics-server', 'kube-system').spec.template.spec.containers[0]
        .image;
    expect(image(rendering, 'prod-blue')).toBe('registry.k8s.io/metrics-server/metrics-server:v0.9.0');
    expect(image(rendering, 'prod-green')).toBe('registry.k8s.io/metrics-server/metrics-server:v0.9.0');
    const older = render(fixtureConfig('dev', (raw) => (raw.clusters[0].kubernetesVersion = '1.33')));
    expect(image(older, 'dev-blue')).toBe('registry.k8s.io/metrics-server/metrics-server:v0.8.1');
  });

  it('is not rendered when addons.metricsServer.enabled is false', () => {
    const off = render(fixtureConfig('dev', (raw) => (raw.addons.metricsServer.enabled = false)));
    expect(objectsOf(off, 'dev-blue', 'metrics-server')).toEqual([]);
  });
});
