import { Chart } from 'cdk8s';
import {
  IntOrString,
  KubeApiService,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeRoleBinding,
  KubeService,
  KubeServiceAccount,
  Quantity,
} from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { ADDONS } from '../../platform/addons';
import { metricsServerImage } from '../../platform/images';
import { HOSTNAME_LABEL } from '../../platform/names';
import type { ClusterConfig } from '../../platform/schema';
import { addonLabels } from '../constructs/addon-labels';
import { addonResources } from '../constructs/addon-resources';
import { AddonWorkload } from '../constructs/addon-workload';
import { DisruptionBudget } from '../constructs/disruption-budget';
import { preferEssentialNodes } from '../constructs/essential-node-affinity';
import { annotateSyncWaves } from '../sync-waves';

export interface MetricsServerChartProps {
  readonly cluster: ClusterConfig;
}

/** The add-on catalog's names: the ServiceAccount is named after the add-on, as upstream's. */
const NAME = ADDONS.metricsServer.serviceAccount;
const NAMESPACE = ADDONS.metricsServer.namespace;
/** The user of the upstream manifest. */
const UID = 1000;
/**
 * Two replicas, as upstream's high-availability component
 * (https://github.com/kubernetes-sigs/metrics-server/blob/v0.9.0/manifests/components/high-availability/patch.yaml):
 * HorizontalPodAutoscalers read the metrics API on every sync and stop scaling while it is down,
 * so a drain or a scale-down must never take the last pod. With the budget below (one pod
 * unavailable at a time) a drain evicts one, waits for it to serve elsewhere, then the other.
 */
export const METRICS_SERVER_REPLICAS = 2;

/**
 * metrics-server, the source of the resource metrics API (`kubectl top`, HorizontalPodAutoscalers
 * on CPU and memory). Objects as upstream's manifests/base ships them at the pinned releases
 * (https://github.com/kubernetes-sigs/metrics-server/tree/v0.9.0/manifests/base, identical at
 * v0.8.1), with the image chosen by the cluster's minor from the version catalog; two replicas and
 * a budget from its high-availability component. Pinned by test/manifests/addons-metrics-server.test.ts.
 * The only file it writes is its self-signed serving certificate and key (apiserver.crt,
 * apiserver.key: SecureServing.MaybeDefaultWithSelfSignedCerts, cmd/metrics-server/app/options/options.go
 * at v0.9.0, with k8s.io/apiserver's default pair name) in --cert-dir: an emptyDir at /tmp, as upstream mounts it "so we can safely use
 * from-scratch images and/or read-only containers" (manifests/base/deployment.yaml).
 */
export class MetricsServerChart extends Chart {
  constructor(scope: Construct, id: string, props: MetricsServerChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const labels = addonLabels(NAME);
    const subjects = [{ kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE }];

    new KubeServiceAccount(this, 'service-account', {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
    });

    // Lets view, edit and admin read pod and node metrics, by aggregation into those roles.
    new KubeClusterRole(this, 'aggregated-reader', {
      metadata: {
        name: 'system:aggregated-metrics-reader',
        labels: {
          ...labels,
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
        },
      },
      rules: [
        { apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    });

    new KubeClusterRole(this, 'cluster-role', {
      metadata: { name: `system:${NAME}`, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    });

    new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: `system:${NAME}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `system:${NAME}` },
      subjects,
    });

    // Delegates the authentication and authorization of metrics API requests to the API server.
    new KubeClusterRoleBinding(this, 'auth-delegator', {
      metadata: { name: `${NAME}:system:auth-delegator`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects,
    });

    // Reads the client CA the API server uses to sign its requests to aggregated APIs.
    new KubeRoleBinding(this, 'auth-reader', {
      metadata: { name: `${NAME}-auth-reader`, namespace: NAMESPACE, labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects,
    });

    new KubeService(this, 'service', {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      spec: {
        selector: labels,
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: IntOrString.fromString('https') }],
      },
    });

    new AddonWorkload(this, 'deployment', {
      controller: {
        kind: 'Deployment',
        replicas: METRICS_SERVER_REPLICAS,
        // The metrics API must not go dark during a rollout: HPAs stop scaling while it does.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: IntOrString.fromNumber(0) } },
      },
      name: NAME,
      namespace: NAMESPACE,
      labels,
      uid: UID,
      serviceAccountName: NAME,
      priorityClassName: 'system-cluster-critical',
      affinity: {
        ...preferEssentialNodes(),
        // Upstream requires one replica per node; preferred here, so a one-node cluster (dev at
        // night) holds no Pending replica that would make cluster-autoscaler add a node for it.
        // Two on one node still pass a drain one at a time (the budget).
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: HOSTNAME_LABEL },
            },
          ],
        },
      },
      containers: [
        {
          name: NAME,
          image: metricsServerImage(props.cluster.kubernetesVersion),
          args: [
            // The self-signed serving certificate is written here: the root filesystem is read-only.
            '--cert-dir=/tmp',
            // 10250 is the port the EKS control plane may already reach on every node.
            '--secure-port=10250',
            '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
            '--kubelet-use-node-status-port',
            '--metric-resolution=15s',
          ],
          ports: [{ name: 'https', containerPort: 10250, protocol: 'TCP' }],
          livenessProbe: {
            httpGet: { path: '/livez', port: IntOrString.fromString('https'), scheme: 'HTTPS' },
            periodSeconds: 10,
            failureThreshold: 3,
          },
          readinessProbe: {
            httpGet: { path: '/readyz', port: IntOrString.fromString('https'), scheme: 'HTTPS' },
            initialDelaySeconds: 20,
            periodSeconds: 10,
            failureThreshold: 3,
          },
          // Upstream requests; about 2 MiB per node, so 400Mi covers some 200 nodes.
          resources: addonResources({ cpu: '100m', memory: '200Mi', memoryLimit: '400Mi' }),
          volumeMounts: [{ name: 'tmp-dir', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp-dir', emptyDir: { sizeLimit: Quantity.fromString('16Mi') } }],
    });

    // Upstream's high-availability pdb.yaml: minAvailable 1 of 2 replicas. Written as
    // maxUnavailable 1 (the shared budget), the same at two replicas and never zero if one fails.
    new DisruptionBudget(this, 'budget', { name: NAME, namespace: NAMESPACE, selector: labels, labels });

    new KubeApiService(this, 'api-service', {
      metadata: { name: 'v1beta1.metrics.k8s.io', labels },
      spec: {
        service: { name: NAME, namespace: NAMESPACE, port: 443 },
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        // Exception to verified TLS, as upstream ships it: metrics-server signs its own serving
        // certificate at start-up (--cert-dir), so there is no CA bundle to pin here.
        insecureSkipTlsVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });

    annotateSyncWaves(this);
  }
}
