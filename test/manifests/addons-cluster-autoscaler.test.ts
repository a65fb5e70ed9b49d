import { describe, expect, it } from 'vitest';
import { CLUSTER_AUTOSCALER_IMAGES, clusterAutoscalerImage } from '../../platform/images';
import { irsaRole } from '../../platform/names';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../platform/versions';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { permissions, render } from './addons-helpers';

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

/**
 * What was taken from upstream, copied from the files of the pinned release line:
 * EXAMPLE = kubernetes/autoscaler cluster-autoscaler-1.35.2,
 *   cluster-autoscaler/cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml;
 * CHART = kubernetes/autoscaler cluster-autoscaler-chart-9.59.0 (appVersion 1.35.0),
 *   cluster-autoscaler/charts/cluster-autoscaler/templates/{clusterrole,deployment}.yaml.
 */
const EXAMPLE_ARGS = [
  '--v=4',
  '--stderrthreshold=info',
  '--cloud-provider=aws',
  '--skip-nodes-with-local-storage=false',
  '--expander=least-waste',
  '--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<YOUR CLUSTER NAME>',
];
const EXAMPLE_CLUSTER_RULES = [
  { apiGroups: [''], resources: ['events', 'endpoints'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: [''], resources: ['pods/status'], verbs: ['update'] },
  {
    apiGroups: [''],
    resources: ['endpoints'],
    resourceNames: ['cluster-autoscaler'],
    verbs: ['get', 'update'],
  },
  { apiGroups: [''], resources: ['nodes'], verbs: ['watch', 'list', 'get', 'update'] },
  {
    apiGroups: [''],
    resources: [
      'namespaces',
      'pods',
      'services',
      'replicationcontrollers',
      'persistentvolumeclaims',
      'persistentvolumes',
    ],
    verbs: ['watch', 'list', 'get'],
  },
  { apiGroups: ['extensions'], resources: ['replicasets', 'daemonsets'], verbs: ['watch', 'list', 'get'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['watch', 'list'] },
  {
    apiGroups: ['apps'],
    resources: ['statefulsets', 'replicasets', 'daemonsets'],
    verbs: ['watch', 'list', 'get'],
  },
  {
    apiGroups: ['storage.k8s.io'],
    resources: ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities', 'volumeattachments'],
    verbs: ['watch', 'list', 'get'],
  },
  { apiGroups: ['batch', 'extensions'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resourceNames: ['cluster-autoscaler'],
    resources: ['leases'],
    verbs: ['get', 'update'],
  },
];
const EXAMPLE_ROLE_RULES = [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'list', 'watch'] },
  {
    apiGroups: [''],
    resources: ['configmaps'],
    resourceNames: ['cluster-autoscaler-status', 'cluster-autoscaler-priority-expander'],
    verbs: ['delete', 'get', 'update', 'watch'],
  },
];
/** Read permissions of the chart (AWS provider) that the example lacks. */
const CHART_EXTRA_CLUSTER_RULES = [
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['watch', 'list', 'get'] },
  {
    apiGroups: ['apps'],
    resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
    verbs: ['watch', 'list', 'get'],
  },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch', 'get'] },
  {
    apiGroups: ['resource.k8s.io'],
    resources: ['resourceslices', 'deviceclasses', 'resourceclaims'],
    verbs: ['watch', 'list', 'get'],
  },
];

describe('cluster-autoscaler upstream parity (cluster-autoscaler-1.35.2 example, chart 9.59.0)', () => {
  it('passes the example’s flags, with its own cluster name and one added flag', () => {
    const args: string[] = container('prod-green').args;
    const example = EXAMPLE_ARGS.map((a) => a.replace('<YOUR CLUSTER NAME>', 'prod-green'));
    expect(args.filter((a) => !example.includes(a))).toEqual([
      // Deviation: zones are separate node groups (perAz); balancing keeps them even.
      '--balance-similar-node-groups',
    ]);
    expect(example.filter((a) => !args.includes(a))).toEqual([]);
    // The image's CMD is /cluster-autoscaler with WORKDIR / (cluster-autoscaler/Dockerfile), so
    // the example's relative command resolves to the same binary.
    expect(container('prod-green').command).toEqual(['./cluster-autoscaler']);
  });

  it('keeps the example’s security context; drops its CA-bundle hostPath', () => {
    const pod = deployment('prod-green').spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65534,
      fsGroup: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container('prod-green').securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    });
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    // Deviation: the example mounts the node's /etc/ssl/certs/ca-bundle.crt; the image is
    // distroless/static, which ships its own CA bundle, and a hostPath would break the
    // restricted Pod Security Standard. The binary logs to stderr (klog/v2) and writes nothing.
    expect(pod.volumes).toBeUndefined();
    expect(container('prod-green').volumeMounts).toBeUndefined();
  });

  it('probes /health-check on port 8085 as the chart does (the example has no probe)', () => {
    expect(container('prod-green').ports).toEqual([{ name: 'http', containerPort: 8085, protocol: 'TCP' }]);
    expect(container('prod-green').livenessProbe).toEqual({
      httpGet: { path: '/health-check', port: 'http' },
    });
  });

  it('grants the example’s permissions plus the chart’s reads, minus the retired extensions group', () => {
    const ours = permissions(findObject(rendering, 'prod-blue', 'ClusterRole', 'cluster-autoscaler').rules);
    const upstream = permissions([...EXAMPLE_CLUSTER_RULES, ...CHART_EXTRA_CLUSTER_RULES]);
    // Nothing granted that neither upstream file grants.
    expect(ours.filter((p) => !upstream.includes(p))).toEqual([]);
    // Deviation: extensions/v1beta1 workloads were removed in Kubernetes 1.16
    // (https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-16).
    expect(upstream.filter((p) => !ours.includes(p))).toEqual([
      'extensions/daemonsets:get',
      'extensions/daemonsets:list',
      'extensions/daemonsets:watch',
      'extensions/jobs:get',
      'extensions/jobs:list',
      'extensions/jobs:patch',
      'extensions/jobs:watch',
      'extensions/replicasets:get',
      'extensions/replicasets:list',
      'extensions/replicasets:watch',
    ]);
    const role = findObject(rendering, 'prod-blue', 'Role', 'cluster-autoscaler', 'kube-system');
    expect(permissions(role.rules)).toEqual(permissions(EXAMPLE_ROLE_RULES));
  });
});
