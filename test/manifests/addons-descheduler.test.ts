import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { ADDONS } from '../../platform/addons';
import { DESCHEDULER_IMAGES } from '../../platform/images';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../platform/versions';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { permissions, render } from './addons-helpers';

const withDescheduler = (raw: Record<string, any>) => {
  raw.addons.descheduler = { enabled: true };
};
const prod = fixtureConfig('prod', withDescheduler);
const rendering = render(prod);
const deployment = (cluster = 'prod-green') =>
  findObject(rendering, cluster, 'Deployment', 'descheduler', 'kube-system');
const pod = (cluster = 'prod-green') => deployment(cluster).spec.template.spec;
const container = (cluster = 'prod-green') => pod(cluster).containers[0];
const policy = (cluster = 'prod-green') =>
  parse(
    findObject(rendering, cluster, 'ConfigMap', 'descheduler-policy-configmap', 'kube-system').data[
      'policy.yaml'
    ],
  );
const pluginArgs = (name: string) =>
  policy().profiles[0].pluginConfig.find((p: { name: string }) => p.name === name)?.args;

describe('descheduler add-on', () => {
  it('is off by default and not rendered when addons.descheduler.enabled is false', () => {
    expect(fixtureConfig('prod').addons.descheduler.enabled).toBe(false);
    const off = render(fixtureConfig('dev', (raw) => (raw.addons.descheduler = { enabled: false })));
    expect(objectsOf(off, 'dev-blue', 'descheduler')).toEqual([]);
    expect(objectsOf(rendering, 'prod-blue', 'descheduler').length).toBeGreaterThan(0);
  });

  it('never evicts in kube-system, argocd or any add-on namespace, in every plugin it runs', () => {
    const expected = [
      ...new Set(['kube-system', 'argocd', ...Object.values(ADDONS).map((a) => a.namespace)]),
    ].sort();
    expect(expected).toContain('kube-system');
    const profile = policy().profiles[0];
    const enabled = [...profile.plugins.deschedule.enabled, ...profile.plugins.balance.enabled];
    expect(enabled.length).toBe(5);
    for (const plugin of enabled) {
      expect(pluginArgs(plugin)?.namespaces, plugin).toEqual({ exclude: expected });
    }
  });

  it('runs only placement plugins, no utilization plugin that would fight cluster-autoscaler', () => {
    const doc = policy();
    expect(doc.apiVersion).toBe('descheduler/v1alpha2');
    expect(doc.kind).toBe('DeschedulerPolicy');
    expect(doc.profiles).toHaveLength(1);
    expect(doc.profiles[0].plugins).toEqual({
      deschedule: {
        enabled: [
          'RemovePodsViolatingNodeAffinity',
          'RemovePodsViolatingNodeTaints',
          'RemovePodsViolatingInterPodAntiAffinity',
        ],
      },
      balance: { enabled: ['RemoveDuplicates', 'RemovePodsViolatingTopologySpreadConstraint'] },
    });
    const configured = doc.profiles[0].pluginConfig.map((p: { name: string }) => p.name);
    expect(configured).not.toContain('LowNodeUtilization');
    expect(configured).not.toContain('HighNodeUtilization');
    expect(pluginArgs('RemovePodsViolatingNodeAffinity').nodeAffinityType).toEqual([
      'requiredDuringSchedulingIgnoredDuringExecution',
    ]);
    expect(pluginArgs('RemovePodsViolatingTopologySpreadConstraint').constraints).toEqual(['DoNotSchedule']);
    // A cordon is not a drain, and cluster-autoscaler drains its own nodes.
    expect(pluginArgs('RemovePodsViolatingNodeTaints').excludedTaints).toEqual([
      'node.kubernetes.io/unschedulable',
      'ToBeDeletedByClusterAutoscaler',
    ]);
  });

  it('evicts only controller-owned pods with a budget that fit on another node, never local storage or critical pods', () => {
    expect(pluginArgs('DefaultEvictor')).toEqual({
      evictLocalStoragePods: false,
      evictSystemCriticalPods: false,
      ignorePodsWithoutPDB: true,
      evictFailedBarePods: false,
      evictDaemonSetPods: false,
      nodeFit: true,
    });
    // Written out in each plugin, without YAML aliases, so a reviewer reads every list.
    const text = findObject(
      rendering,
      'prod-green',
      'ConfigMap',
      'descheduler-policy-configmap',
      'kube-system',
    ).data['policy.yaml'] as string;
    expect(text).not.toMatch(/[&*]a\d/);
  });

  it('runs the descheduler line of the cluster’s Kubernetes minor', () => {
    expect(DESCHEDULER_IMAGES).toEqual({
      '1.32': 'registry.k8s.io/descheduler/descheduler:v0.32.2',
      '1.33': 'registry.k8s.io/descheduler/descheduler:v0.33.0',
      '1.34': 'registry.k8s.io/descheduler/descheduler:v0.34.0',
      '1.35': 'registry.k8s.io/descheduler/descheduler:v0.35.1',
    });
    for (const minor of SUPPORTED_KUBERNETES_VERSIONS) {
      expect(DESCHEDULER_IMAGES[minor]).toMatch(new RegExp(`:v0\\.${minor.split('.')[1]}\\.\\d+$`));
    }
    expect(container('prod-blue').image).toBe('registry.k8s.io/descheduler/descheduler:v0.34.0');
    expect(container('prod-green').image).toBe('registry.k8s.io/descheduler/descheduler:v0.35.1');
  });

  it('passes every check rule when enabled', () => {
    expect(runRules(ALL_RULES, { rendering, configs: [prod] })).toEqual([]);
  });
});

/**
 * Taken from kubernetes-sigs/descheduler at v0.35.1 (and v0.32.2, v0.33.0, v0.34.0, identical but
 * for the image tag): kubernetes/deployment/deployment.yaml and kubernetes/base/rbac.yaml.
 */
const UPSTREAM_ARGS = ['--policy-config-file', '/policy-dir/policy.yaml', '--descheduling-interval', '5m'];
const UPSTREAM_LIVENESS = {
  failureThreshold: 3,
  httpGet: { path: '/healthz', port: 10258, scheme: 'HTTPS' },
  initialDelaySeconds: 3,
  periodSeconds: 10,
};
const UPSTREAM_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
};
/** Upstream's ClusterRole at v0.35.1, flattened (`permissions`). */
const UPSTREAM_CLUSTER_RULES = [
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'update'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list', 'delete'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'update'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    resourceNames: ['descheduler'],
    verbs: ['get', 'patch', 'delete'],
  },
  { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'watch', 'list'] },
];

describe('descheduler upstream parity (kubernetes-sigs/descheduler v0.35.1 kubernetes/)', () => {
  it('passes upstream’s flags, port, probe, requests and priority, with leader election on', () => {
    expect(container().command).toEqual(['/bin/descheduler']);
    // Deviation: --leader-elect=true, so a rollout's or drain's overlapping pod waits for the lease.
    expect(container().args).toEqual([...UPSTREAM_ARGS, '--leader-elect=true', '--v', '3']);
    expect(container().ports).toEqual([{ name: 'https', containerPort: 10258, protocol: 'TCP' }]);
    expect(container().livenessProbe).toEqual(UPSTREAM_LIVENESS);
    expect(container().readinessProbe).toBeUndefined();
    expect(container().resources.requests).toEqual({ cpu: '500m', memory: '256Mi' });
    expect(container().resources.limits).toEqual({ memory: '256Mi' });
    expect(pod().priorityClassName).toBe('system-cluster-critical');
    expect(deployment().spec.replicas).toBe(1);
    expect(pod().serviceAccountName).toBe('descheduler-sa');
  });

  it('reads the policy from upstream’s ConfigMap volume and writes nowhere, as the image’s user 1000', () => {
    expect(container().volumeMounts).toEqual([
      { name: 'policy-volume', mountPath: '/policy-dir', readOnly: true },
    ]);
    expect(pod().volumes).toEqual([
      { name: 'policy-volume', configMap: { name: 'descheduler-policy-configmap' } },
    ]);
    expect(container().securityContext).toEqual(UPSTREAM_SECURITY);
    expect(pod().securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('lets cluster-autoscaler and drains move its stateless pod', () => {
    expect(deployment().spec.template.metadata.annotations).toEqual({
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
    });
  });

  it('grants upstream’s permissions less pod deletion, metrics and cluster-wide lease updates', () => {
    const cluster = findObject(rendering, 'prod-green', 'ClusterRole', 'descheduler-cluster-role');
    const leases = findObject(rendering, 'prod-green', 'Role', 'descheduler-leader-election', 'kube-system');
    const granted = permissions([...cluster.rules, ...leases.rules]);
    const upstream = permissions(UPSTREAM_CLUSTER_RULES);
    expect(granted.filter((p) => !upstream.includes(p))).toEqual([
      // Narrower than upstream's cluster-wide update on every lease: only its own, in kube-system.
      'coordination.k8s.io/leases#descheduler:update',
    ]);
    expect(upstream.filter((p) => !granted.includes(p))).toEqual([
      '/pods:delete',
      'coordination.k8s.io/leases#descheduler:delete',
      'coordination.k8s.io/leases#descheduler:patch',
      'coordination.k8s.io/leases:update',
      'metrics.k8s.io/nodes:get',
      'metrics.k8s.io/nodes:list',
      'metrics.k8s.io/pods:get',
      'metrics.k8s.io/pods:list',
    ]);
    // Leases live in kube-system only: the create is namespaced, not cluster-wide.
    expect(permissions(cluster.rules).some((p) => p.startsWith('coordination.k8s.io'))).toBe(false);
    // No secrets at all (upstream's Role, v0.33 on, is for a Prometheus token).
    expect(
      objectsOf(rendering, 'prod-green', 'descheduler')
        .map((o) => o.object.kind)
        .sort(),
    ).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'Role',
      'RoleBinding',
      'ServiceAccount',
    ]);
  });

  it('reads PersistentVolumeClaims only from v0.35, whose informer needs them', () => {
    const read = (cluster: string) =>
      permissions(findObject(rendering, cluster, 'ClusterRole', 'descheduler-cluster-role').rules).filter(
        (p) => p.startsWith('/persistentvolumeclaims'),
      );
    expect(read('prod-green')).toEqual([
      '/persistentvolumeclaims:get',
      '/persistentvolumeclaims:list',
      '/persistentvolumeclaims:watch',
    ]);
    expect(read('prod-blue')).toEqual([]);
  });

  it('binds both roles to its ServiceAccount only', () => {
    const subjects = [{ kind: 'ServiceAccount', name: 'descheduler-sa', namespace: 'kube-system' }];
    const crb = findObject(rendering, 'prod-green', 'ClusterRoleBinding', 'descheduler-cluster-role-binding');
    expect(crb.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'descheduler-cluster-role',
    });
    expect(crb.subjects).toEqual(subjects);
    const rb = findObject(
      rendering,
      'prod-green',
      'RoleBinding',
      'descheduler-leader-election',
      'kube-system',
    );
    expect(rb.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'descheduler-leader-election',
    });
    expect(rb.subjects).toEqual(subjects);
  });
});
