import { Chart } from 'cdk8s';
import {
  IntOrString,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeConfigMap,
} from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { ADDONS } from '../../platform/addons';
import { FLUENT_BIT_IMAGE } from '../../platform/images';
import { clusterName, containerLogGroupName, irsaRole, POLICY_EXCEPTION_PREFIX } from '../../platform/names';
import type { AddonChartProps } from '../addon-charts';
import { addonLabels } from '../constructs/addon-labels';
import { addonResources } from '../constructs/addon-resources';
import { AddonWorkload } from '../constructs/addon-workload';
import { IrsaServiceAccount } from '../constructs/irsa-service-account';
import { annotateSyncWaves } from '../sync-waves';

const { component: NAME, namespace: NAMESPACE } = ADDONS.fluentBit;

/**
 * The upstream chart the objects are taken from: fluent/helm-charts charts/fluent-bit 0.58.1
 * (appVersion 5.1.1), templates/daemonset.yaml, _pod.tpl, clusterrole.yaml and values.yaml.
 */
export const FLUENT_BIT_CHART_SOURCE =
  'https://github.com/fluent/helm-charts/tree/5b81bf7a5a5d9f7c3513810efdef47cdb4e28239/charts/fluent-bit';

/** The HTTP server of Fluent Bit: metrics and health (upstream values.yaml `metricsPort`). */
export const FLUENT_BIT_HTTP_PORT = 2020;

/** Where the tail input keeps its read offsets, on the node, so a restarted pod resumes where it stopped. */
export const FLUENT_BIT_STATE_DIR = '/var/fluent-bit/state';

/**
 * Why Fluent Bit runs as root: the container log files it tails (/var/log/pods, which the
 * /var/log/containers symlinks point to) are written by the container runtime as root, mode 0640,
 * so only their owner can read them; and it keeps its offsets in a root-owned host directory.
 * Every capability stays dropped (root reads its own files by owner bits, without
 * CAP_DAC_OVERRIDE), no privilege escalation, read-only root filesystem. The upstream chart runs
 * it as root too (securityContext `{}` in values.yaml, image user root).
 */
export const FLUENT_BIT_ROOT_REASON =
  'tails the container log files of every pod of its node, which the container runtime writes as root with mode 0640 (/var/log/pods, hostPath read-only), and keeps its read offsets in the root-owned host directory /var/fluent-bit/state; every capability dropped, no privilege escalation, read-only root filesystem';

/** The check-rule exceptions of the Fluent Bit pods, with their reasons (docs/checks.md). */
export const FLUENT_BIT_EXCEPTIONS = {
  'run-as-non-root': FLUENT_BIT_ROOT_REASON,
} as const;

/**
 * The Fluent Bit configuration (classic mode): upstream values.yaml's `config` service, tail input
 * and kubernetes filter, with
 * - the tail input's offsets in a database on the node (`DB`), absent upstream, so a restarted or
 *   updated pod neither resends nor skips lines;
 * - no systemd input (kubelet logs, outside `/var/log/containers`) and no custom parsers: this add-on
 *   ships container logs;
 * - the `cloudwatch_logs` output in place of upstream's example `es` outputs: to the cluster's log
 *   group in the environment's region, never creating a group (`auto_create_group Off`; Terraform
 *   owns it, with its retention and key), one stream per container log file, named
 *   `<log_stream_prefix><tag>` (https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch).
 */
export function fluentBitConfig(props: { readonly region: string; readonly logGroupName: string }): string {
  return [
    '[SERVICE]',
    '    Daemon Off',
    '    Flush 1',
    '    Log_Level info',
    '    Parsers_File /fluent-bit/etc/parsers.conf',
    '    HTTP_Server On',
    '    HTTP_Listen 0.0.0.0',
    `    HTTP_Port ${FLUENT_BIT_HTTP_PORT}`,
    '    Health_Check On',
    '',
    '[INPUT]',
    '    Name tail',
    '    Path /var/log/containers/*.log',
    '    multiline.parser docker, cri',
    '    Tag kube.*',
    '    Mem_Buf_Limit 5MB',
    '    Skip_Long_Lines On',
    `    DB ${FLUENT_BIT_STATE_DIR}/tail-containers.db`,
    '',
    '[FILTER]',
    '    Name kubernetes',
    '    Match kube.*',
    '    Merge_Log On',
    '    Keep_Log Off',
    '    K8S-Logging.Parser On',
    '    K8S-Logging.Exclude On',
    '',
    '[OUTPUT]',
    '    Name cloudwatch_logs',
    '    Match kube.*',
    `    region ${props.region}`,
    `    log_group_name ${props.logGroupName}`,
    '    log_stream_prefix from-fluent-bit-',
    '    auto_create_group Off',
    '',
  ].join('\n');
}

/**
 * Fluent Bit (`addons.fluentBit`): a DaemonSet that tails every container log of its node, adds
 * the pod's Kubernetes metadata and sends it to the cluster's CloudWatch Logs group
 * `/aws/eks/<cluster>/containers`, which the infra creates with its retention and key
 * (infra/constructs/fluent-bit.ts), through the IRSA role that may only write to that group.
 *
 * Taken from the upstream chart (FLUENT_BIT_CHART_SOURCE): the image (cr.fluentbit.io, the chart's
 * appVersion), the command and args (`--workdir=/fluent-bit/etc`,
 * `--config=/fluent-bit/etc/conf/fluent-bit.conf`), the config mounted at /fluent-bit/etc/conf, the
 * `http` port 2020 with liveness on `/` and readiness on `/api/v2/health`, the ClusterRole (get,
 * list, watch namespaces and pods: the kubernetes filter's lookups), the ServiceAccount name.
 *
 * Deviations, pinned by test/manifests/addons-fluent-bit.test.ts: the host log directories mounted
 * read-only and narrowed to /var/log/containers and /var/log/pods (upstream mounts /var/log
 * writable, /var/lib/docker/containers, which EKS nodes no longer have since containerd, and
 * /etc/machine-id for the systemd input left out); the offsets directory, a writable hostPath;
 * the restricted security with root as the one escape hatch (FLUENT_BIT_ROOT_REASON); every node,
 * whatever its taints (a node whose logs are not shipped is a blind spot), at
 * system-node-critical priority; requests and a memory limit (upstream sets none); no Service
 * (the metrics endpoint stays on the pod).
 */
export class FluentBitChart extends Chart {
  constructor(scope: Construct, id: string, props: AddonChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster } = props;
    const role = irsaRole(config, cluster, 'fluent-bit');
    const labels = addonLabels(NAME);

    new IrsaServiceAccount(this, 'irsa', { role, labels });

    new KubeClusterRole(this, 'cluster-role', {
      metadata: { name: NAME, labels },
      rules: [{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }],
    });
    new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: role.serviceAccount, namespace: role.namespace }],
    });

    new KubeConfigMap(this, 'config', {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      data: {
        'fluent-bit.conf': fluentBitConfig({
          region: config.region,
          logGroupName: containerLogGroupName(clusterName(config, cluster)),
        }),
      },
    });

    new AddonWorkload(this, 'daemon-set', {
      controller: { kind: 'DaemonSet', updateStrategy: { type: 'RollingUpdate' } },
      name: NAME,
      namespace: NAMESPACE,
      labels,
      serviceAccountName: role.serviceAccount,
      // The logs of a node are lost while its agent is not running; the kubelet must not evict it
      // before the workloads it ships the logs of.
      // https://kubernetes.io/docs/tasks/administer-cluster/guaranteed-scheduling-critical-addon-pods/
      priorityClassName: 'system-node-critical',
      podAnnotations: Object.fromEntries(
        Object.entries(FLUENT_BIT_EXCEPTIONS).map(([rule, reason]) => [
          `${POLICY_EXCEPTION_PREFIX}${rule}`,
          reason,
        ]),
      ),
      hostPrivileges: { reason: FLUENT_BIT_ROOT_REASON, runAsRoot: true },
      tolerations: [
        { effect: 'NoExecute', operator: 'Exists' },
        { effect: 'NoSchedule', operator: 'Exists' },
      ],
      containers: [
        {
          name: NAME,
          image: FLUENT_BIT_IMAGE,
          command: ['/fluent-bit/bin/fluent-bit'],
          args: ['--workdir=/fluent-bit/etc', '--config=/fluent-bit/etc/conf/fluent-bit.conf'],
          ports: [{ name: 'http', containerPort: FLUENT_BIT_HTTP_PORT, protocol: 'TCP' }],
          livenessProbe: { httpGet: { path: '/', port: IntOrString.fromString('http') } },
          readinessProbe: { httpGet: { path: '/api/v2/health', port: IntOrString.fromString('http') } },
          // Not from upstream (it sets none): the tail input buffers at most 5 MB in memory
          // (Mem_Buf_Limit) before it pauses; the limit bounds the rest on a node it shares.
          resources: addonResources({ cpu: '50m', memory: '64Mi', memoryLimit: '256Mi' }),
          volumeMounts: [
            { name: 'fluent-bit-config', mountPath: '/fluent-bit/etc/conf' },
            { name: 'varlogcontainers', mountPath: '/var/log/containers', readOnly: true },
            { name: 'varlogpods', mountPath: '/var/log/pods', readOnly: true },
            { name: 'state', mountPath: FLUENT_BIT_STATE_DIR },
          ],
        },
      ],
      volumes: [
        { name: 'fluent-bit-config', configMap: { name: NAME } },
        // The kubelet's symlinks, named <pod>_<namespace>_<container>-<id>.log (the tag the
        // kubernetes filter reads the pod from), to the runtime's files under /var/log/pods.
        { name: 'varlogcontainers', hostPath: { path: '/var/log/containers', type: 'Directory' } },
        { name: 'varlogpods', hostPath: { path: '/var/log/pods', type: 'Directory' } },
        { name: 'state', hostPath: { path: FLUENT_BIT_STATE_DIR, type: 'DirectoryOrCreate' } },
      ],
    });

    annotateSyncWaves(this);
  }
}
