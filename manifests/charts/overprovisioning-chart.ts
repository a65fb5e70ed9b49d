import { Chart } from 'cdk8s';
import {
  IntOrString,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeConfigMap,
  KubeNamespace,
  KubePriorityClass,
  KubeRole,
  KubeRoleBinding,
  KubeServiceAccount,
  Quantity,
  type Toleration,
} from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { ADDONS } from '../../platform/addons';
import { CLUSTER_PROPORTIONAL_AUTOSCALER_IMAGE, PAUSE_IMAGE } from '../../platform/images';
import { HOSTNAME_LABEL, LIFECYCLE_LABEL, OVERPROVISIONING, ZONE_LABEL } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { safeToEvict } from '../constructs/addon-disruption';
import { addonLabels } from '../constructs/addon-labels';
import { addonResources } from '../constructs/addon-resources';
import { AddonWorkload } from '../constructs/addon-workload';
import { annotateSyncWaves } from '../sync-waves';

export interface OverprovisioningChartProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
}

const PLACEHOLDER = 'overprovisioning';
/** cluster-proportional-autoscaler: its ServiceAccount, as the add-on catalog names it, and its objects. */
const AUTOSCALER = ADDONS.overprovisioning.serviceAccount;
/**
 * The non-root user pause runs as by default since 3.5
 * (https://github.com/kubernetes/kubernetes/blob/master/build/pause/CHANGELOG.md, #97963). pause.c
 * only installs signal handlers and sleeps (build/pause/linux/pause.c): it writes nothing.
 */
const PAUSE_UID = 65535;
/**
 * The user the cluster-proportional-autoscaler image declares (`USER 65535:65535` over
 * distroless/static:nonroot), https://github.com/kubernetes-sigs/cluster-proportional-autoscaler/blob/v1.10.3/Dockerfile.in.
 */
const AUTOSCALER_UID = 65535;

/**
 * A PriorityClass below every workload (default 0) but not below cluster-autoscaler's
 * `--expendable-pods-priority-cutoff` (default -10): pods under the cutoff never trigger a
 * scale-up, which would defeat the placeholders.
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md#how-can-i-configure-overprovisioning-with-cluster-autoscaler
 */
export const OVERPROVISIONING_PRIORITY = -1;

/**
 * Overprovisioning (seed 001): placeholder pods that reserve spare capacity at the lowest
 * priority. A real pod preempts them at once; they go Pending, and cluster-autoscaler adds a
 * node for them ahead of the next real pod. cluster-proportional-autoscaler sizes them to the
 * cluster (one per `coresPerReplica` cores or `nodesPerReplica` nodes).
 */
export class OverprovisioningChart extends Chart {
  constructor(scope: Construct, id: string, props: OverprovisioningChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { cluster } = props;
    const settings = props.config.addons.overprovisioning;
    const namespace = OVERPROVISIONING.namespace;
    const placeholderLabels = addonLabels(PLACEHOLDER);
    const autoscalerLabels = addonLabels(AUTOSCALER);

    new KubeNamespace(this, 'namespace', {
      metadata: {
        name: namespace,
        labels: { ...placeholderLabels, 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    });

    new KubePriorityClass(this, 'priority-class', {
      metadata: { name: OVERPROVISIONING.priorityClass, labels: placeholderLabels },
      value: OVERPROVISIONING_PRIORITY,
      globalDefault: false,
      // Placeholders give way to every pod and never take a node from another.
      preemptionPolicy: 'Never',
      description:
        'Overprovisioning placeholders: preempted by any workload, they make cluster-autoscaler add nodes ahead of demand.',
    });

    new AddonWorkload(this, 'placeholder', {
      // No replicas: cluster-proportional-autoscaler owns the count, and a value here would make
      // Argo CD reset it on every sync.
      controller: { kind: 'Deployment' },
      name: PLACEHOLDER,
      namespace,
      labels: placeholderLabels,
      uid: PAUSE_UID,
      // Placeholders exist to be displaced: said explicitly for the addon-availability check.
      podAnnotations: safeToEvict(true),
      // No service account: the pause process calls no API.
      priorityClassName: OVERPROVISIONING.priorityClass,
      // The pause process holds no state: a preempted placeholder leaves at once.
      terminationGracePeriodSeconds: 0,
      affinity: {
        // Spare capacity is cheapest on spot nodes; preferred, so clusters without spot groups
        // still reserve some.
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              preference: {
                matchExpressions: [{ key: LIFECYCLE_LABEL, operator: 'In', values: ['spot'] }],
              },
            },
          ],
        },
        podAntiAffinity: {
          // One placeholder per node: two on one node reserve room for one large pod rather than
          // headroom on several nodes.
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: placeholderLabels }, topologyKey: HOSTNAME_LABEL },
          ],
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                labelSelector: { matchLabels: placeholderLabels },
                topologyKey: ZONE_LABEL,
              },
            },
          ],
        },
      },
      tolerations: spotTolerations(cluster),
      containers: [
        {
          name: 'reserve-resources',
          image: PAUSE_IMAGE,
          // Requests equal limits: the reservation is exactly what config says.
          resources: {
            requests: {
              cpu: Quantity.fromString(settings.cpu),
              memory: Quantity.fromString(settings.memory),
            },
            limits: {
              cpu: Quantity.fromString(settings.cpu),
              memory: Quantity.fromString(settings.memory),
            },
          },
        },
      ],
    });

    new KubeServiceAccount(this, 'autoscaler-service-account', {
      metadata: { name: AUTOSCALER, namespace, labels: autoscalerLabels },
    });

    // Counting nodes and cores is cluster-wide; everything else stays in the namespace. Upstream's
    // chart at v1.10.3 grants the same node read, and in the Role the scale of every Deployment,
    // ReplicaSet and ReplicationController plus configmaps get; here only the one target and the one
    // ConfigMap (charts/cluster-proportional-autoscaler/templates/{clusterrole,role}.yaml).
    new KubeClusterRole(this, 'autoscaler-cluster-role', {
      metadata: { name: AUTOSCALER, labels: autoscalerLabels },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }],
    });

    new KubeClusterRoleBinding(this, 'autoscaler-cluster-role-binding', {
      metadata: { name: AUTOSCALER, labels: autoscalerLabels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AUTOSCALER },
      subjects: [{ kind: 'ServiceAccount', name: AUTOSCALER, namespace }],
    });

    new KubeRole(this, 'autoscaler-role', {
      metadata: { name: AUTOSCALER, namespace, labels: autoscalerLabels },
      rules: [
        {
          apiGroups: ['apps'],
          resources: ['deployments/scale'],
          resourceNames: [PLACEHOLDER],
          verbs: ['get', 'update'],
        },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [AUTOSCALER], verbs: ['get'] },
      ],
    });

    new KubeRoleBinding(this, 'autoscaler-role-binding', {
      metadata: { name: AUTOSCALER, namespace, labels: autoscalerLabels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AUTOSCALER },
      subjects: [{ kind: 'ServiceAccount', name: AUTOSCALER, namespace }],
    });

    // Linear mode: replicas = max(ceil(cores / coresPerReplica), ceil(nodes / nodesPerReplica)),
    // clamped to [min, max] (https://github.com/kubernetes-sigs/cluster-proportional-autoscaler#linear-mode).
    new KubeConfigMap(this, 'autoscaler-config', {
      metadata: { name: AUTOSCALER, namespace, labels: autoscalerLabels },
      data: {
        linear: JSON.stringify({
          coresPerReplica: settings.coresPerReplica,
          nodesPerReplica: settings.nodesPerReplica,
          min: settings.min,
          max: settings.max,
          preventSinglePointFailure: settings.preventSinglePointFailure,
        }),
      },
    });

    new AddonWorkload(this, 'autoscaler', {
      controller: { kind: 'Deployment', replicas: 1 },
      name: AUTOSCALER,
      namespace,
      labels: autoscalerLabels,
      uid: AUTOSCALER_UID,
      // Stateless: while it moves, the placeholder count only waits for the next poll.
      podAnnotations: safeToEvict(true),
      serviceAccountName: AUTOSCALER,
      containers: [
        {
          name: 'autoscaler',
          image: CLUSTER_PROPORTIONAL_AUTOSCALER_IMAGE,
          // Flags of upstream's example and chart at v1.10.3
          // (https://github.com/kubernetes-sigs/cluster-proportional-autoscaler/blob/v1.10.3/examples/linear.yaml,
          // charts/cluster-proportional-autoscaler/templates/deployment.yaml, whose values
          // default `options.logToStdErr: true`).
          command: [
            '/cluster-proportional-autoscaler',
            `--namespace=${namespace}`,
            `--configmap=${AUTOSCALER}`,
            `--target=deployment/${PLACEHOLDER}`,
            // The binary logs with glog (github.com/golang/glog v1.2.4, go.mod at v1.10.3), whose
            // default sink writes files under --log_dir or os.TempDir() (/tmp) and, when it cannot
            // create one, exits with code 2 ("glog: exiting because of error",
            // vendor/github.com/golang/glog/glog.go sinkf). The root filesystem is read-only and
            // has no /tmp volume, so without this flag the first log line kills the process. With
            // it the file sink is disabled (fileSink.Enabled returns !toStderr, glog_file.go) and
            // the binary writes nothing to disk: the ConfigMap is read and the Deployment scaled
            // through the API only.
            '--logtostderr=true',
            '--v=2',
          ],
          // The health server upstream's chart probes (pkg/autoscaler/health.go at v1.10.3:
          // ListenAndServe(":8080"), /healthz). Liveness only: the handler answers while the
          // process serves, so as readiness it would say nothing more.
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          livenessProbe: { httpGet: { path: '/healthz', port: IntOrString.fromString('http') } },
          // Sizes of the kube-dns autoscaler, the same binary watching the same nodes.
          resources: addonResources({ cpu: '20m', memory: '32Mi', memoryLimit: '64Mi' }),
        },
      ],
    });

    annotateSyncWaves(this);
  }
}

/** Tolerations for the taints of the cluster's spot node groups, so placeholders can land there. */
function spotTolerations(cluster: ClusterConfig): Toleration[] {
  const seen = new Set<string>();
  const tolerations: Toleration[] = [];
  for (const group of cluster.nodeGroups.filter((g) => g.lifecycle === 'spot')) {
    for (const taint of group.taints) {
      const key = `${taint.key}=${taint.value}:${taint.effect}`;
      if (seen.has(key)) continue;
      seen.add(key);
      tolerations.push({ key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect });
    }
  }
  return tolerations;
}
