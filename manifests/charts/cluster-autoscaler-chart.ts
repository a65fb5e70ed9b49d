import { Chart } from 'cdk8s';
import {
  IntOrString,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeRole,
  KubeRoleBinding,
} from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { clusterAutoscalerImage } from '../../platform/images';
import { clusterAutoscalerTags, clusterName, irsaRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { safeToEvict } from '../constructs/addon-disruption';
import { addonLabels } from '../constructs/addon-labels';
import { addonResources } from '../constructs/addon-resources';
import { AddonWorkload } from '../constructs/addon-workload';
import { IrsaServiceAccount } from '../constructs/irsa-service-account';
import { annotateSyncWaves } from '../sync-waves';

export interface ClusterAutoscalerChartProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
}

const NAME = 'cluster-autoscaler';
/** The `nobody` user the upstream AWS example runs as. */
const UID = 65534;

/**
 * cluster-autoscaler (seeds 000 and 002): discovers the cluster's Auto Scaling groups by tag and
 * resizes them, through the IRSA role the infra stack creates for its ServiceAccount.
 *
 * Upstream sources (pinned by test/manifests/addons-cluster-autoscaler.test.ts):
 * - the AWS example at the pinned 1.35 release: args, pod and container security context, RBAC
 *   (https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-1.35.2/cluster-autoscaler/cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml);
 * - the chart of that line, cluster-autoscaler-chart-9.59.0 (appVersion 1.35.0): the liveness
 *   probe, port 8085 and the read permissions the example lacks (cronjobs, deployments,
 *   configmaps, resource.k8s.io)
 *   (https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-chart-9.59.0/cluster-autoscaler/charts/cluster-autoscaler/templates/clusterrole.yaml).
 * The binary logs with klog/v2, whose default is stderr (logtostderr=true), and keeps its state in
 * the API (leases, the status ConfigMap): it writes nothing to the read-only root filesystem.
 */
export class ClusterAutoscalerChart extends Chart {
  constructor(scope: Construct, id: string, props: ClusterAutoscalerChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster } = props;
    const role = irsaRole(config, cluster, 'cluster-autoscaler');
    const labels = addonLabels(NAME);
    const subjects = [{ kind: 'ServiceAccount', name: role.serviceAccount, namespace: role.namespace }];

    new IrsaServiceAccount(this, 'irsa', { role, labels });

    new KubeClusterRole(this, 'cluster-role', {
      metadata: { name: NAME, labels },
      rules: [
        { apiGroups: [''], resources: ['events', 'endpoints'], verbs: ['create', 'patch'] },
        { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
        { apiGroups: [''], resources: ['pods/status'], verbs: ['update'] },
        { apiGroups: [''], resources: ['endpoints'], resourceNames: [NAME], verbs: ['get', 'update'] },
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
        { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['watch', 'list', 'get'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['patch'] },
        { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['watch', 'list'] },
        {
          apiGroups: ['apps'],
          resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
          verbs: ['watch', 'list', 'get'],
        },
        {
          apiGroups: ['storage.k8s.io'],
          // volumeattachments: read since 1.32 to count attached volumes per node
          // (https://github.com/kubernetes/autoscaler/pull/7904).
          resources: [
            'storageclasses',
            'csinodes',
            'csidrivers',
            'csistoragecapacities',
            'volumeattachments',
          ],
          verbs: ['watch', 'list', 'get'],
        },
        {
          // Dynamic resource allocation objects, read when a pod claims devices.
          apiGroups: ['resource.k8s.io'],
          resources: ['deviceclasses', 'resourceclaims', 'resourceslices'],
          verbs: ['watch', 'list', 'get'],
        },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch', 'get'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: [NAME],
          verbs: ['get', 'update'],
        },
      ],
    });

    new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects,
    });

    // The status and priority-expander ConfigMaps live in the autoscaler's own namespace only.
    new KubeRole(this, 'role', {
      metadata: { name: NAME, namespace: role.namespace, labels },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'list', 'watch'] },
        {
          apiGroups: [''],
          resources: ['configmaps'],
          resourceNames: ['cluster-autoscaler-status', 'cluster-autoscaler-priority-expander'],
          verbs: ['delete', 'get', 'update', 'watch'],
        },
      ],
    });

    new KubeRoleBinding(this, 'role-binding', {
      metadata: { name: NAME, namespace: role.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME },
      subjects,
    });

    const tags = clusterAutoscalerTags(clusterName(config, cluster));
    new AddonWorkload(this, 'deployment', {
      // One replica: a second one would only wait on the leader-election lease.
      controller: { kind: 'Deployment', replicas: 1 },
      name: NAME,
      namespace: role.namespace,
      labels,
      uid: UID,
      // Scale-down never removes the autoscaler's own node: it would evict the process in the
      // middle of its own decision, and a kube-system pod relies on CA's default
      // (--skip-nodes-with-system-pods) only as long as that flag stays. No PDB: drains of node
      // rolls ignore this annotation and move the pod (one replica, leader lease, back in
      // seconds), where a budget of zero would stall an EKS node update 15 minutes and fail it
      // (addon-disruption.ts).
      podAnnotations: safeToEvict(false),
      serviceAccountName: role.serviceAccount,
      priorityClassName: 'system-cluster-critical',
      containers: [
        {
          name: NAME,
          image: clusterAutoscalerImage(cluster.kubernetesVersion),
          // The image has no ENTRYPOINT, only a CMD: args alone would replace the binary.
          // No CA-bundle hostPath as in old examples: the distroless image ships its own.
          command: ['./cluster-autoscaler'],
          args: [
            '--v=4',
            '--stderrthreshold=info',
            '--cloud-provider=aws',
            '--skip-nodes-with-local-storage=false',
            `--node-group-auto-discovery=asg:tag=${tags.enabled.key},${tags.owner.key}`,
            // Node groups are split per zone (perAz); balancing keeps them the same size, so the
            // zones stay even as the cluster grows and shrinks.
            '--balance-similar-node-groups',
            '--expander=least-waste',
          ],
          // Pods cannot reach the instance metadata service (IMDSv2, hop limit 1), so the region
          // the AWS SDK would look up there is given here.
          env: [{ name: 'AWS_REGION', value: config.region }],
          ports: [{ name: 'http', containerPort: 8085, protocol: 'TCP' }],
          livenessProbe: { httpGet: { path: '/health-check', port: IntOrString.fromString('http') } },
          // Upstream example sizes: the autoscaler holds every node and pod in memory.
          resources: addonResources({ cpu: '100m', memory: '600Mi' }),
        },
      ],
    });

    annotateSyncWaves(this);
  }
}
