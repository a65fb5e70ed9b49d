import { Chart } from 'cdk8s';
import {
  IntOrString,
  KubeConfigMap,
  KubeService,
  KubeServiceAccount,
  Quantity,
} from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { ADDONS } from '../../platform/addons';
import { NODE_LOCAL_DNS_IMAGE } from '../../platform/images';
import { CLUSTER_DNS, POLICY_EXCEPTION_PREFIX } from '../../platform/names';
import { CLUSTER_DOMAIN, kubeDnsServiceIp, NODE_LOCAL_DNS_IP } from '../../platform/node-local-dns';
import type { AddonChartProps } from '../addon-charts';
import { addonLabels } from '../constructs/addon-labels';
import { AddonWorkload } from '../constructs/addon-workload';
import { annotateSyncWaves } from '../sync-waves';

/** The add-on catalog's names: the ServiceAccount, DaemonSet and ConfigMap share upstream's name. */
const NAME = ADDONS.nodeLocalDns.serviceAccount;
const NAMESPACE = ADDONS.nodeLocalDns.namespace;
/**
 * The Service in front of the CoreDNS pods that node-local DNS forwards cache misses to: the
 * kube-dns address itself is bound on every node by node-local DNS, so it cannot be used upstream.
 * node-cache reads its ClusterIP from the service-link variable `KUBE_DNS_UPSTREAM_SERVICE_HOST`
 * (`-upstreamsvc`; cmd/node-cache/app/cache_app.go, toSvcEnv, in kubernetes/dns), so the pods keep
 * Kubernetes' default `enableServiceLinks: true`.
 */
export const KUBE_DNS_UPSTREAM = 'kube-dns-upstream';
/** Prometheus metrics of every server block (`prometheus :9253`). */
const METRICS_PORT = 9253;
/** The health endpoint of the cluster-domain block, on the link-local address. */
const HEALTH_PORT = 8080;

/**
 * The upstream Corefile with the placeholders the kubernetes.io guide has substituted for kube-proxy
 * in iptables mode: `__PILLAR__DNS__DOMAIN__`, `__PILLAR__LOCAL__DNS__` and `__PILLAR__DNS__SERVER__`.
 * `__PILLAR__CLUSTER__DNS__` (kube-dns-upstream's ClusterIP) and `__PILLAR__UPSTREAM__SERVERS__` (the
 * node's resolv.conf) stay: node-cache fills them in when it writes /etc/Corefile from this base
 * (https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/#configuration).
 * Text as upstream at the pinned commit, indentation included.
 */
export function nodeLocalDnsCorefile(kubeDnsIp: string): string {
  const bind = `bind ${NODE_LOCAL_DNS_IP} ${kubeDnsIp}`;
  const toClusterDns = [
    '        forward . __PILLAR__CLUSTER__DNS__ {',
    '                force_tcp',
    '        }',
  ];
  const reverse = (zone: string) => [
    `${zone}:53 {`,
    '    errors',
    '    cache 30',
    '    reload',
    '    loop',
    `    ${bind}`,
    ...toClusterDns.map((line) => line.slice(4)),
    `    prometheus :${METRICS_PORT}`,
    '    }',
  ];
  return [
    `${CLUSTER_DOMAIN}:53 {`,
    '    errors',
    '    cache {',
    '            success 9984 30',
    '            denial 9984 5',
    '    }',
    '    reload',
    '    loop',
    `    ${bind}`,
    ...toClusterDns.map((line) => line.slice(4)),
    `    prometheus :${METRICS_PORT}`,
    `    health ${NODE_LOCAL_DNS_IP}:${HEALTH_PORT}`,
    '    }',
    ...reverse('in-addr.arpa'),
    ...reverse('ip6.arpa'),
    '.:53 {',
    '    errors',
    '    cache 30',
    '    reload',
    '    loop',
    `    ${bind}`,
    '    forward . __PILLAR__UPSTREAM__SERVERS__',
    `    prometheus :${METRICS_PORT}`,
    '    }',
    '',
  ].join('\n');
}

/**
 * The check-rule exceptions of the node-local DNS pods, with their reasons (docs/checks.md): the
 * only rules the pod template breaks.
 */
export const NODE_LOCAL_DNS_EXCEPTIONS = {
  'run-as-non-root':
    'node-cache adds iptables rules and a dummy interface on the node (hostNetwork, NET_ADMIN); added capabilities are only effective for root, and the upstream image runs as root',
  'container-resources':
    'upstream sets requests only: cache memory grows with the query mix, and an OOM-killed cache breaks DNS for every pod of the node (https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/#setting-memory-limits)',
} as const;

/**
 * Node-local DNS (`addons.nodeLocalDns`): a CoreDNS cache on every node, as the upstream add-on
 * ships it (https://github.com/kubernetes/kubernetes/blob/028f956d2f934d6c82ca815e3f8d622da7e480cb/cluster/addons/dns/nodelocaldns/nodelocaldns.yaml,
 * image k8s-dns-node-cache 1.26.4), configured for kube-proxy in iptables mode, the EKS default:
 * node-cache binds both 169.254.20.10 and the kube-dns ClusterIP on a dummy interface and adds
 * NOTRACK iptables rules for them, so pods keep sending queries to the kube-dns address their
 * resolv.conf already holds and the node answers them locally, without conntrack; no kubelet
 * `clusterDNS` change. Cache misses for the cluster domain go over TCP to CoreDNS through
 * kube-dns-upstream, the rest to the node's resolver (the VPC resolver).
 * Deviations from upstream, pinned by test/manifests/addons-node-local-dns.test.ts: no
 * addon-manager labels (EKS runs no addon manager); the ServiceAccount mounts no token (node-cache
 * calls no API); RuntimeDefault seccomp and no privilege escalation on top of upstream's context.
 */
export class NodeLocalDnsChart extends Chart {
  constructor(scope: Construct, id: string, props: AddonChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const kubeDnsIp = kubeDnsServiceIp(props.config.network.cidr);
    // Upstream's selector label, which the metrics Service selects too.
    const labels = { ...addonLabels(NAME), 'k8s-app': NAME };

    new KubeServiceAccount(this, 'service-account', {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      automountServiceAccountToken: false,
    });

    new KubeService(this, 'kube-dns-upstream', {
      metadata: {
        name: KUBE_DNS_UPSTREAM,
        namespace: NAMESPACE,
        labels: { ...CLUSTER_DNS.podLabels, 'kubernetes.io/name': 'KubeDNSUpstream' },
      },
      spec: {
        selector: { ...CLUSTER_DNS.podLabels },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: IntOrString.fromNumber(53) },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: IntOrString.fromNumber(53) },
        ],
      },
    });

    new KubeConfigMap(this, 'config', {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      data: { Corefile: nodeLocalDnsCorefile(kubeDnsIp) },
    });

    new AddonWorkload(this, 'daemon-set', {
      controller: {
        kind: 'DaemonSet',
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: IntOrString.fromString('10%') },
        },
      },
      name: NAME,
      namespace: NAMESPACE,
      labels,
      serviceAccountName: NAME,
      priorityClassName: 'system-node-critical',
      podAnnotations: {
        'prometheus.io/port': String(METRICS_PORT),
        'prometheus.io/scrape': 'true',
        ...Object.fromEntries(
          Object.entries(NODE_LOCAL_DNS_EXCEPTIONS).map(([rule, reason]) => [
            `${POLICY_EXCEPTION_PREFIX}${rule}`,
            reason,
          ]),
        ),
      },
      // Don't use cluster DNS: the cache would query itself.
      dnsPolicy: 'Default',
      hostPrivileges: {
        reason:
          'node-cache binds the link-local and kube-dns addresses on a dummy interface of the node and adds iptables NOTRACK rules for them, and writes /etc/Corefile from its base at start-up',
        hostNetwork: true,
        runAsRoot: true,
        addCapabilities: ['NET_ADMIN'],
        writableRootFilesystem: true,
      },
      // Every node, whatever its taints, as upstream: a node without the cache still resolves
      // (no rules, kube-proxy's), but tainted groups (stateful, GPU) would miss it.
      tolerations: [
        { key: 'CriticalAddonsOnly', operator: 'Exists' },
        { effect: 'NoExecute', operator: 'Exists' },
        { effect: 'NoSchedule', operator: 'Exists' },
      ],
      containers: [
        {
          name: 'node-cache',
          image: NODE_LOCAL_DNS_IMAGE,
          resources: {
            requests: { cpu: Quantity.fromString('25m'), memory: Quantity.fromString('5Mi') },
          },
          args: [
            '-localip',
            `${NODE_LOCAL_DNS_IP},${kubeDnsIp}`,
            '-conf',
            '/etc/Corefile',
            '-upstreamsvc',
            KUBE_DNS_UPSTREAM,
            '-pidfile',
            '/tmp/node-cache.pid',
          ],
          ports: [
            { containerPort: 53, name: 'dns', protocol: 'UDP' },
            { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
            { containerPort: METRICS_PORT, name: 'metrics', protocol: 'TCP' },
          ],
          livenessProbe: {
            httpGet: { host: NODE_LOCAL_DNS_IP, path: '/health', port: IntOrString.fromNumber(HEALTH_PORT) },
            initialDelaySeconds: 60,
            timeoutSeconds: 5,
          },
          volumeMounts: [
            { mountPath: '/run/xtables.lock', name: 'xtables-lock', readOnly: false },
            { name: 'config-volume', mountPath: '/etc/coredns' },
            { name: 'kube-dns-config', mountPath: '/etc/kube-dns' },
          ],
        },
      ],
      volumes: [
        // The node's iptables lock, shared with kube-proxy and the VPC CNI, so rule updates never interleave.
        { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
        // Stub domains and upstream servers of a kube-dns ConfigMap, if one exists (EKS has none).
        { name: 'kube-dns-config', configMap: { name: 'kube-dns', optional: true } },
        {
          name: 'config-volume',
          configMap: { name: NAME, items: [{ key: 'Corefile', path: 'Corefile.base' }] },
        },
      ],
    });

    // Headless, for Prometheus to find every pod's metrics.
    new KubeService(this, 'metrics', {
      metadata: {
        name: NAME,
        namespace: NAMESPACE,
        labels,
        annotations: { 'prometheus.io/port': String(METRICS_PORT), 'prometheus.io/scrape': 'true' },
      },
      spec: {
        clusterIp: 'None',
        ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: IntOrString.fromNumber(METRICS_PORT) }],
        selector: { 'k8s-app': NAME },
      },
    });

    annotateSyncWaves(this);
  }
}
