import { Chart } from 'cdk8s';
import {
  IntOrString,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeConfigMap,
  KubeRole,
  KubeRoleBinding,
  KubeServiceAccount,
  type PolicyRule,
} from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ADDONS, type AddonDefinition } from '../../platform/addons';
import { deschedulerImage } from '../../platform/images';
import { ARGOCD } from '../../platform/names';
import type { ClusterConfig } from '../../platform/schema';
import { safeToEvict } from '../constructs/addon-disruption';
import { addonLabels } from '../constructs/addon-labels';
import { addonResources } from '../constructs/addon-resources';
import { AddonWorkload } from '../constructs/addon-workload';
import { DESCHEDULING_INTERVAL, deschedulerPolicy } from '../descheduler-policy';
import { annotateSyncWaves } from '../sync-waves';

export interface DeschedulerChartProps {
  readonly cluster: ClusterConfig;
}

const NAME = 'descheduler';
const NAMESPACE = ADDONS.descheduler.namespace;
const SERVICE_ACCOUNT = ADDONS.descheduler.serviceAccount;
/** The USER of the upstream image (Dockerfile at v0.32.2 through v0.35.1: `USER 1000`, FROM scratch). */
const UID = 1000;
/** The policy file's directory and the ConfigMap holding it, as upstream names them. */
const POLICY_DIR = '/policy-dir';
const POLICY_CONFIG_MAP = 'descheduler-policy-configmap';
/** Its secure port (DefaultDeschedulerPort, cmd/descheduler/app/options/options.go). */
const PORT = 10258;
/** The lease of its leader election (ResourceName and ResourceNamespace defaults, options.go at v0.35.1). */
const LEASE = 'descheduler';

/**
 * The namespaces the descheduler never touches: kube-system (as the issue asks: CoreDNS, the CNI,
 * the controllers), Argo CD (an evicted repo-server or application controller stalls every sync),
 * and every add-on namespace of the catalog (overprovisioning placeholders exist to be preempted,
 * not moved). Derived from the catalog, so a new add-on's namespace is excluded without an edit here.
 */
export function deschedulerExcludedNamespaces(): string[] {
  const addons = Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>);
  return [...new Set(['kube-system', ARGOCD.namespace, ...addons.map((a) => a.namespace)])].sort();
}

/**
 * The ClusterRole's rules: upstream's kubernetes/base/rbac.yaml at the tag of the cluster's line,
 * less what this deployment never uses (read in the source of each tag):
 * - `pods: delete`: no code path deletes a pod; evictions go through the Eviction API only
 *   (pkg/descheduler/evictions/evictions.go at v0.35.1, `PolicyV1().Evictions(…).Evict`), which
 *   honours PodDisruptionBudgets. Without `delete` the descheduler cannot bypass a budget.
 * - `metrics.k8s.io`: read only with `metricsCollector` or the KubernetesMetrics provider
 *   (pkg/descheduler/descheduler.go:341 at v0.35.1), neither in the policy.
 * - the leases rules move to a Role in kube-system (below): the lease lives there, and upstream's
 *   cluster-wide `update` on every lease is more than leader election needs.
 * - the Role on secrets (v0.33 on): read only for a Prometheus auth token (prom_client_controller.go
 *   at v0.35.1), and the policy configures no Prometheus.
 * - `persistentvolumeclaims` only from v0.35, whose descheduler starts a PVC informer
 *   unconditionally (descheduler.go:128 at v0.35.1; absent at v0.32.2–v0.34.0, as the rule is).
 */
export function deschedulerClusterRules(kubernetesVersion: string): PolicyRule[] {
  const read = ['get', 'watch', 'list'];
  const [, minor] = kubernetesVersion.split('.').map(Number);
  return [
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'update'] },
    { apiGroups: [''], resources: ['nodes'], verbs: read },
    { apiGroups: [''], resources: ['namespaces'], verbs: read },
    { apiGroups: [''], resources: ['pods'], verbs: read },
    { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
    { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: read },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: read },
    ...((minor ?? 0) >= 35 ? [{ apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: read }] : []),
  ];
}

/**
 * The descheduler (issue 15): every 5 minutes, evicts pods whose placement no longer holds (node
 * affinity, taints, anti-affinity, topology spread, duplicates on one node), never in kube-system
 * or another add-on namespace, only pods with a PodDisruptionBudget that fit on another node
 * (manifests/descheduler-policy.ts: why no utilization plugin, with cluster-autoscaler).
 *
 * Upstream sources, kubernetes-sigs/descheduler at the tag of the cluster's line (v0.35.1 for 1.35;
 * the files are identical at v0.32.2, v0.33.0 and v0.34.0 but for the image and the RBAC noted in
 * `deschedulerClusterRules`), pinned by test/manifests/addons-descheduler.test.ts:
 * - kubernetes/base/rbac.yaml: ServiceAccount `descheduler-sa`, ClusterRole and binding names;
 * - kubernetes/base/configmap.yaml: the policy in `descheduler-policy-configmap`, key policy.yaml;
 * - kubernetes/deployment/deployment.yaml: args, port 10258, liveness probe, requests,
 *   system-cluster-critical, the container's security context.
 * Run as a Deployment (one replica, `--descheduling-interval`) rather than upstream's CronJob
 * alternative: its pod sits on a node steadily instead of a new pod every run, which on a full
 * cluster would stay Pending and make cluster-autoscaler add a node just for it; and leader election
 * (`--leader-elect`, off upstream) keeps a rollout's or a drain's overlapping pod from descheduling
 * at the same time. The binary writes nothing: the policy is a read-only ConfigMap volume, the
 * serving certificate is generated in memory (SecureServingOptionsWithLoopback, no --cert-dir;
 * upstream ships readOnlyRootFilesystem: true), logs go to stderr.
 */
export class DeschedulerChart extends Chart {
  constructor(scope: Construct, id: string, props: DeschedulerChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const labels = addonLabels(NAME);
    const subjects = [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: NAMESPACE }];

    new KubeServiceAccount(this, 'service-account', {
      metadata: { name: SERVICE_ACCOUNT, namespace: NAMESPACE, labels },
    });

    new KubeClusterRole(this, 'cluster-role', {
      metadata: { name: 'descheduler-cluster-role', labels },
      rules: deschedulerClusterRules(props.cluster.kubernetesVersion),
    });
    new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: 'descheduler-cluster-role-binding', labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'descheduler-cluster-role',
      },
      subjects,
    });

    // Leader election: client-go's LeaseLock gets, creates and updates the lease
    // (tools/leaderelection/resourcelock/leaselock.go); create cannot be limited by name.
    new KubeRole(this, 'leader-election-role', {
      metadata: { name: 'descheduler-leader-election', namespace: NAMESPACE, labels },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: [LEASE],
          verbs: ['get', 'update'],
        },
      ],
    });
    new KubeRoleBinding(this, 'leader-election-role-binding', {
      metadata: { name: 'descheduler-leader-election', namespace: NAMESPACE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'descheduler-leader-election' },
      subjects,
    });

    new KubeConfigMap(this, 'policy', {
      metadata: { name: POLICY_CONFIG_MAP, namespace: NAMESPACE, labels },
      // Without aliases: the plugins' shared namespace list is written out in each, as reviewers read it.
      data: {
        'policy.yaml': stringify(deschedulerPolicy(deschedulerExcludedNamespaces()), {
          aliasDuplicateObjects: false,
        }),
      },
    });

    new AddonWorkload(this, 'deployment', {
      // One replica as upstream; a second would only wait for the lease.
      controller: { kind: 'Deployment', replicas: 1 },
      name: NAME,
      namespace: NAMESPACE,
      labels,
      uid: UID,
      serviceAccountName: SERVICE_ACCOUNT,
      priorityClassName: 'system-cluster-critical',
      // Stateless between passes (the next pass starts from the cluster's state): cluster-autoscaler
      // may move it when emptying its node, and a drain moves it without a budget.
      podAnnotations: safeToEvict(true),
      containers: [
        {
          name: NAME,
          image: deschedulerImage(props.cluster.kubernetesVersion),
          command: ['/bin/descheduler'],
          args: [
            '--policy-config-file',
            `${POLICY_DIR}/policy.yaml`,
            '--descheduling-interval',
            DESCHEDULING_INTERVAL,
            '--leader-elect=true',
            '--v',
            '3',
          ],
          ports: [{ name: 'https', containerPort: PORT, protocol: 'TCP' }],
          livenessProbe: {
            httpGet: { path: '/healthz', port: IntOrString.fromNumber(PORT), scheme: 'HTTPS' },
            initialDelaySeconds: 3,
            periodSeconds: 10,
            failureThreshold: 3,
          },
          // Upstream requests; the memory limit is its chart's (values.yaml at v0.35.1): the
          // informers hold every pod and node of the cluster.
          resources: addonResources({ cpu: '500m', memory: '256Mi' }),
          volumeMounts: [{ name: 'policy-volume', mountPath: POLICY_DIR, readOnly: true }],
        },
      ],
      volumes: [{ name: 'policy-volume', configMap: { name: POLICY_CONFIG_MAP } }],
    });

    annotateSyncWaves(this);
  }
}
