import { describe, expect, it } from 'vitest';
import { OVERPROVISIONING_PRIORITY } from '../../manifests/charts/overprovisioning-chart';
import { CLUSTER_PROPORTIONAL_AUTOSCALER_IMAGE, PAUSE_IMAGE } from '../../platform/images';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { permissions, render } from './addons-helpers';

const rendering = render(fixtureConfig('prod'));
const placeholder = () =>
  findObject(rendering, 'prod-blue', 'Deployment', 'overprovisioning', 'overprovisioning');
const autoscaler = () =>
  findObject(rendering, 'prod-blue', 'Deployment', 'overprovisioning-autoscaler', 'overprovisioning');

describe('overprovisioning add-on', () => {
  it('creates its namespace and a cluster-scoped PriorityClass below workloads but above the expendable cutoff', () => {
    expect(findObject(rendering, 'prod-blue', 'Namespace', 'overprovisioning').metadata.labels).toMatchObject(
      {
        'pod-security.kubernetes.io/enforce': 'restricted',
      },
    );
    const priority = findObject(rendering, 'prod-blue', 'PriorityClass', 'overprovisioning');
    expect(priority.metadata.namespace).toBeUndefined();
    expect(priority.value).toBe(OVERPROVISIONING_PRIORITY);
    // Below the default priority 0 of workloads, at or above cluster-autoscaler's default
    // --expendable-pods-priority-cutoff of -10, under which pods never trigger a scale-up.
    expect(priority.value).toBeLessThan(0);
    expect(priority.value).toBeGreaterThanOrEqual(-10);
    expect(priority.globalDefault).toBe(false);
    expect(priority.preemptionPolicy).toBe('Never');
  });

  it('reserves exactly the configured cpu and memory with the pinned pause image', () => {
    const pod = placeholder().spec.template.spec;
    expect(pod.priorityClassName).toBe('overprovisioning');
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].image).toBe(PAUSE_IMAGE);
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: '1', memory: '2Gi' },
      limits: { cpu: '1', memory: '2Gi' },
    });
    const custom = render(
      fixtureConfig('prod', (raw) =>
        Object.assign(raw.addons.overprovisioning, { cpu: '500m', memory: '1Gi' }),
      ),
    );
    const resized = findObject(custom, 'prod-green', 'Deployment', 'overprovisioning', 'overprovisioning');
    expect(resized.spec.template.spec.containers[0].resources.limits).toEqual({ cpu: '500m', memory: '1Gi' });
  });

  it('prefers spot nodes, allows one placeholder per node and spreads them over zones', () => {
    const { affinity } = placeholder().spec.template.spec;
    const selector = { matchLabels: { 'app.kubernetes.io/name': 'overprovisioning' } };
    expect(affinity.nodeAffinity).toEqual({
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          preference: { matchExpressions: [{ key: 'lifecycle', operator: 'In', values: ['spot'] }] },
        },
      ],
    });
    expect(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' },
    ]);
    expect(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 100,
        podAffinityTerm: { labelSelector: selector, topologyKey: 'topology.kubernetes.io/zone' },
      },
    ]);
    expect(placeholder().spec.template.spec.tolerations).toBeUndefined();
  });

  it('tolerates the taints of spot node groups so placeholders can land there', () => {
    const tainted = render(
      fixtureConfig('prod', (raw) => {
        raw.clusters[1].nodeGroups[1].taints = [{ key: 'spot', value: 'true', effect: 'NoSchedule' }];
      }),
    );
    const pod = findObject(tainted, 'prod-green', 'Deployment', 'overprovisioning', 'overprovisioning').spec
      .template.spec;
    expect(pod.tolerations).toEqual([
      { key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
    ]);
  });

  it('leaves the placeholder count to cluster-proportional-autoscaler, configured with the linear parameters', () => {
    expect(placeholder().spec.replicas).toBeUndefined();
    const container = autoscaler().spec.template.spec.containers[0];
    expect(container.image).toBe(CLUSTER_PROPORTIONAL_AUTOSCALER_IMAGE);
    expect(container.command).toEqual([
      '/cluster-proportional-autoscaler',
      '--namespace=overprovisioning',
      '--configmap=overprovisioning-autoscaler',
      '--target=deployment/overprovisioning',
      '--logtostderr=true',
      '--v=2',
    ]);
    const config = findObject(
      rendering,
      'prod-blue',
      'ConfigMap',
      'overprovisioning-autoscaler',
      'overprovisioning',
    );
    expect(JSON.parse(config.data.linear)).toEqual({
      coresPerReplica: 20,
      nodesPerReplica: 6,
      min: 1,
      max: 6,
      preventSinglePointFailure: true,
    });
  });

  it('lets cluster-proportional-autoscaler count nodes and scale only its placeholder Deployment', () => {
    expect(findObject(rendering, 'prod-blue', 'ClusterRole', 'overprovisioning-autoscaler').rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
    ]);
    expect(
      findObject(rendering, 'prod-blue', 'Role', 'overprovisioning-autoscaler', 'overprovisioning').rules,
    ).toEqual([
      {
        apiGroups: ['apps'],
        resources: ['deployments/scale'],
        resourceNames: ['overprovisioning'],
        verbs: ['get', 'update'],
      },
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['overprovisioning-autoscaler'],
        verbs: ['get'],
      },
    ]);
    expect(autoscaler().spec.template.spec.serviceAccountName).toBe('overprovisioning-autoscaler');
  });

  it('logs to stderr: glog would otherwise write files under /tmp on the read-only root filesystem and exit', () => {
    // cluster-proportional-autoscaler v1.10.3 logs with github.com/golang/glog v1.2.4: without
    // --logtostderr its file sink creates /tmp/cluster-proportional-autoscaler.*.INFO… and exits
    // with code 2 when it cannot. It writes nothing else, so no volume is needed once logs go to stderr.
    const pod = autoscaler().spec.template.spec;
    const container = pod.containers[0];
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.command).toContain('--logtostderr=true');
    expect(container.command.some((arg: string) => /^--(log_dir|log-dir|alsologtostderr)/.test(arg))).toBe(
      false,
    );
    expect(pod.volumes).toBeUndefined();
    expect(container.volumeMounts).toBeUndefined();
    // The user the image declares (USER 65535:65535 in Dockerfile.in at v1.10.3).
    expect(pod.securityContext.runAsUser).toBe(65535);
  });

  it('is not rendered when addons.overprovisioning.enabled is false, as in dev', () => {
    const dev = render(fixtureConfig('dev'));
    expect(objectsOf(dev, 'dev-blue', 'overprovisioning')).toEqual([]);
  });
});

/**
 * Copied from kubernetes-sigs/cluster-proportional-autoscaler at v1.10.3: examples/linear.yaml
 * (flags), charts/cluster-proportional-autoscaler/templates/{deployment,clusterrole,role}.yaml
 * (probes, RBAC); and the overprovisioning example of kubernetes/autoscaler
 * cluster-autoscaler-1.35.2, cluster-autoscaler/FAQ.md (the pause placeholder).
 */
const CPA_EXAMPLE_FLAGS = ['--namespace', '--configmap', '--target', '--logtostderr', '--v'];
const CPA_CHART_CLUSTER_RULES = [{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }];
const CPA_CHART_ROLE_RULES = [
  { apiGroups: [''], resources: ['replicationcontrollers/scale'], verbs: ['get', 'update'] },
  {
    apiGroups: ['extensions', 'apps'],
    resources: ['deployments/scale', 'replicasets/scale'],
    verbs: ['get', 'update'],
  },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
];

describe('overprovisioning upstream parity (cluster-proportional-autoscaler v1.10.3, autoscaler FAQ at 1.35.2)', () => {
  it('runs cluster-proportional-autoscaler with the example’s flags, logging to stderr as it does', () => {
    const command: string[] = autoscaler().spec.template.spec.containers[0].command;
    expect(command[0]).toBe('/cluster-proportional-autoscaler');
    expect(command.slice(1).map((a) => a.split('=')[0])).toEqual(CPA_EXAMPLE_FLAGS);
    expect(command).toContain('--logtostderr=true');
    expect(command).toContain('--v=2');
    // Deviation from the FAQ example: no --default-params; the ConfigMap is rendered, so the
    // autoscaler never needs to create it (and gets no create permission).
    expect(command.some((a) => a.startsWith('--default-params'))).toBe(false);
  });

  it('probes the chart’s /healthz on port 8080', () => {
    const container = autoscaler().spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.livenessProbe).toEqual({ httpGet: { path: '/healthz', port: 'http' } });
    // Deviation: the chart's readiness probe is the same handler; nothing routes to this pod.
    expect(container.readinessProbe).toBeUndefined();
  });

  it('grants a subset of the chart’s RBAC, narrowed to its one target and ConfigMap', () => {
    const clusterRole = findObject(rendering, 'prod-blue', 'ClusterRole', 'overprovisioning-autoscaler');
    expect(permissions(clusterRole.rules)).toEqual(permissions(CPA_CHART_CLUSTER_RULES));
    const role = findObject(
      rendering,
      'prod-blue',
      'Role',
      'overprovisioning-autoscaler',
      'overprovisioning',
    );
    const chart = permissions(CPA_CHART_ROLE_RULES);
    // Each of ours is a chart permission narrowed by resourceNames.
    for (const permission of permissions(role.rules)) {
      expect(chart, permission).toContain(permission.replace(/#[^:]+/, ''));
    }
  });

  it('runs the FAQ’s pause placeholder, non-root with nothing to write', () => {
    const pod = placeholder().spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['reserve-resources']);
    expect(pod.terminationGracePeriodSeconds).toBe(0);
    expect(pod.priorityClassName).toBe('overprovisioning');
    // Deviations: pause 3.10.1 instead of the FAQ's 3.9 (the catalog's sandbox image); limits
    // equal to requests; user 65535, pause's default user since 3.5 (build/pause/CHANGELOG.md).
    // pause.c only installs signal handlers and sleeps, so the read-only root filesystem holds.
    expect(pod.securityContext.runAsUser).toBe(65535);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.volumes).toBeUndefined();
    expect(pod.containers[0].command).toBeUndefined();
    expect(pod.containers[0].args).toBeUndefined();
  });
});
