import { describe, expect, it } from 'vitest';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { permissions, render } from './addons-helpers';

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

/**
 * Copied from kubernetes-sigs/metrics-server manifests/base/{deployment,rbac}.yaml at v0.9.0
 * (unchanged from v0.8.1: `git diff v0.8.1 v0.9.0 -- manifests/` touches only the release
 * kustomization's image tag) and manifests/components/high-availability/{patch,pdb}.yaml.
 */
const UPSTREAM_ARGS = [
  '--cert-dir=/tmp',
  '--secure-port=10250',
  '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
  '--kubelet-use-node-status-port',
  '--metric-resolution=15s',
];
const UPSTREAM_SECURITY = {
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  allowPrivilegeEscalation: false,
  seccompProfile: { type: 'RuntimeDefault' },
  capabilities: { drop: ['ALL'] },
};

describe('metrics-server upstream parity (v0.9.0 and v0.8.1 manifests/base)', () => {
  const pod = () => deployment().spec.template.spec;
  const container = () => pod().containers[0];

  it('passes exactly upstream’s flags, port and probes', () => {
    expect(container().args).toEqual(UPSTREAM_ARGS);
    expect(container().ports).toEqual([{ name: 'https', containerPort: 10250, protocol: 'TCP' }]);
    expect(container().readinessProbe).toEqual({
      httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' },
      periodSeconds: 10,
      failureThreshold: 3,
      initialDelaySeconds: 20,
    });
    expect(container().livenessProbe).toEqual({
      httpGet: { path: '/livez', port: 'https', scheme: 'HTTPS' },
      periodSeconds: 10,
      failureThreshold: 3,
    });
    expect(pod().priorityClassName).toBe('system-cluster-critical');
    expect(deployment().spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(container().resources.requests).toEqual({ cpu: '100m', memory: '200Mi' });
  });

  it('writes its self-signed certificate only to the /tmp emptyDir, as upstream mounts it', () => {
    // --cert-dir=/tmp: metrics-server generates apiserver.crt and apiserver.key there at start-up;
    // it is the only path it writes, so the read-only root filesystem holds.
    expect(container().volumeMounts).toEqual([{ name: 'tmp-dir', mountPath: '/tmp' }]);
    // Deviation: a size limit on upstream's `emptyDir: {}`; a key pair takes a few KiB.
    expect(pod().volumes).toEqual([{ name: 'tmp-dir', emptyDir: { sizeLimit: '16Mi' } }]);
  });

  it('keeps upstream’s security context, set partly on the pod', () => {
    const effective = { ...pod().securityContext, ...container().securityContext };
    expect(effective).toMatchObject(UPSTREAM_SECURITY);
    // Deviation: runAsUser, runAsGroup, fsGroup and seccomp on the pod (same values); group 1000
    // added so the emptyDir is the user's own.
    expect(pod().securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
  });

  it('grants exactly upstream’s RBAC', () => {
    expect(
      permissions(findObject(rendering, 'prod-blue', 'ClusterRole', 'system:metrics-server').rules),
    ).toEqual(
      permissions([
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ]),
    );
  });

  it('takes the replicas and budget of upstream’s high-availability component, with a preferred spread', () => {
    // Upstream HA: replicas 2, required one-per-node anti-affinity, PDB minAvailable 1.
    // Deviations: preferred anti-affinity (a one-node cluster keeps no Pending replica that would
    // make cluster-autoscaler add a node for it) and maxUnavailable 1 (the same at two replicas).
    expect(deployment().spec.replicas).toBe(2);
    expect(pod().affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    const budget = findObject(rendering, 'prod-blue', 'PodDisruptionBudget', 'metrics-server', 'kube-system');
    expect(budget.spec.maxUnavailable).toBe(1);
    expect(budget.spec.minAvailable).toBeUndefined();
  });
});
