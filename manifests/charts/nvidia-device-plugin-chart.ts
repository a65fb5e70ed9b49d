import { Chart } from 'cdk8s';
import type { Toleration } from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { ADDONS } from '../../platform/addons';
import { nvidiaInstanceTypes, nvidiaNodeGroups } from '../../platform/gpu-node-groups';
import { NVIDIA_DEVICE_PLUGIN_IMAGE } from '../../platform/images';
import { POLICY_EXCEPTION_PREFIX } from '../../platform/names';
import type { AddonChartProps } from '../addon-charts';
import { addonLabels } from '../constructs/addon-labels';
import { addonResources } from '../constructs/addon-resources';
import { AddonWorkload } from '../constructs/addon-workload';
import { annotateSyncWaves } from '../sync-waves';

const { component: NAME, namespace: NAMESPACE } = ADDONS.nvidiaDevicePlugin;

/** The kubelet's device plugin directory, where the plugin writes its socket (`nvidia-gpu.sock`). */
export const DEVICE_PLUGINS_DIR = '/var/lib/kubelet/device-plugins';

/** The well-known label every node carries: its EC2 instance type. */
const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';

/** The taint upstream tolerates, on GPU nodes by convention; the platform's GPU groups carry it too. */
const UPSTREAM_TOLERATION: Toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

/**
 * Why the plugin runs as root: the kubelet's device plugin directory is owned by root (0755), and
 * the plugin must create its socket there, next to the kubelet's own. The image's user is root (`USER 0:0`,
 * https://github.com/NVIDIA/k8s-device-plugin/blob/v0.20.0/deployments/container/Dockerfile).
 */
export const RUN_AS_ROOT_REASON =
  'writes its socket into the root-owned kubelet directory /var/lib/kubelet/device-plugins (hostPath), as upstream v0.20.0 runs it (image USER 0:0); no privilege escalation, every capability dropped';

/**
 * Why the root filesystem stays writable: the NVIDIA container runtime of the AL2023 NVIDIA AMI
 * injects the driver's libraries into the container (the image asks for every GPU,
 * NVIDIA_VISIBLE_DEVICES=all) and its hooks update the container's linker cache and symlinks, which
 * fails on a read-only root filesystem (https://github.com/kserve/kserve/pull/5711). Upstream does
 * not set readOnlyRootFilesystem.
 */
export const WRITABLE_ROOT_REASON =
  "the NVIDIA container runtime's hooks write the injected driver libraries' linker cache into the container";

/** The tolerations: upstream's, then every taint of the cluster's NVIDIA groups it does not cover. */
export function devicePluginTolerations(cluster: AddonChartProps['cluster']): Toleration[] {
  const tolerations: Toleration[] = [UPSTREAM_TOLERATION];
  const seen = new Set<string>();
  for (const group of nvidiaNodeGroups(cluster)) {
    for (const taint of group.taints) {
      if (taint.key === UPSTREAM_TOLERATION.key && taint.effect === UPSTREAM_TOLERATION.effect) continue;
      const id = `${taint.key}=${taint.value}:${taint.effect}`;
      if (seen.has(id)) continue;
      seen.add(id);
      tolerations.push({ key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect });
    }
  }
  return tolerations;
}

/**
 * The NVIDIA device plugin: a DaemonSet on the cluster's NVIDIA GPU nodes that advertises their
 * GPUs to the kubelet as the extended resource `nvidia.com/gpu`, so that pods can request them.
 * The EKS AL2023 NVIDIA AMI ships the driver and the NVIDIA container toolkit but not the plugin
 * (https://docs.aws.amazon.com/eks/latest/userguide/ml-eks-k8s-device-plugin.html). The catalog
 * renders it only on clusters with an NVIDIA node group (`appliesTo`).
 *
 * Taken from upstream's static manifest at v0.20.0
 * (https://github.com/NVIDIA/k8s-device-plugin/blob/v0.20.0/deployments/static/nvidia-device-plugin.yml):
 * the image and its default command (no arguments, no environment), the hostPath volume
 * `/var/lib/kubelet/device-plugins` (type Directory), allowPrivilegeEscalation false and every
 * capability dropped, priorityClassName system-node-critical, updateStrategy RollingUpdate, the
 * toleration `nvidia.com/gpu` Exists NoSchedule. The Helm chart of the same tag
 * (deployments/helm/nvidia-device-plugin/templates/daemonset-device-plugin.yml, values.yaml) adds
 * the same security context by default, `CriticalAddonsOnly` (deprecated there) and a node affinity
 * on node-feature-discovery labels.
 *
 * Deviations, pinned by test/manifests/addons-nvidia-device-plugin.test.ts: names and selector
 * from the catalog (`nvidia-device-plugin`, `app.kubernetes.io/name`) instead of
 * `nvidia-device-plugin-daemonset`/`name: nvidia-device-plugin-ds`; a required node affinity on
 * the instance types of the cluster's NVIDIA groups (every node carries
 * `node.kubernetes.io/instance-type`; no node-feature-discovery here); the taints of those groups
 * tolerated too; no ServiceAccount token (it calls no Kubernetes API); the RuntimeDefault seccomp
 * profile; requests and a memory limit (upstream has none). It runs as root with a writable root
 * filesystem, the one escape hatch of the restricted security, with its reasons above.
 */
export class NvidiaDevicePluginChart extends Chart {
  constructor(scope: Construct, id: string, props: AddonChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { cluster } = props;
    const instanceTypes = nvidiaInstanceTypes(cluster);
    if (instanceTypes.length === 0) {
      // The catalog's appliesTo keeps this chart off such clusters; a DaemonSet with an empty `In`
      // would be refused by the API server.
      throw new Error(`${NAME} chart: cluster ${cluster.color} has no NVIDIA GPU node group`);
    }
    const labels = addonLabels(NAME);
    new AddonWorkload(this, 'daemonset', {
      controller: { kind: 'DaemonSet', updateStrategy: { type: 'RollingUpdate' } },
      name: NAME,
      namespace: NAMESPACE,
      labels,
      // Upstream's: the node's GPUs are unusable while the plugin is not running, and the
      // kubelet must not evict it first under pressure.
      // https://kubernetes.io/docs/tasks/administer-cluster/guaranteed-scheduling-critical-addon-pods/
      priorityClassName: 'system-node-critical',
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: INSTANCE_TYPE_LABEL, operator: 'In', values: instanceTypes }] },
            ],
          },
        },
      },
      tolerations: devicePluginTolerations(cluster),
      // The restricted building block's one escape hatch, with the exception it then needs.
      hostPrivileges: {
        reason: `${RUN_AS_ROOT_REASON}; ${WRITABLE_ROOT_REASON}`,
        runAsRoot: true,
        writableRootFilesystem: true,
      },
      podAnnotations: { [`${POLICY_EXCEPTION_PREFIX}run-as-non-root`]: RUN_AS_ROOT_REASON },
      containers: [
        {
          name: 'nvidia-device-plugin-ctr',
          image: NVIDIA_DEVICE_PLUGIN_IMAGE,
          // Not from upstream (it sets none): a small Go daemon holding one gRPC server per
          // resource; the limit bounds a leak on the node it shares with GPU workloads.
          resources: addonResources({ cpu: '10m', memory: '64Mi', memoryLimit: '128Mi' }),
          volumeMounts: [{ name: 'kubelet-device-plugins-dir', mountPath: DEVICE_PLUGINS_DIR }],
        },
      ],
      volumes: [
        { name: 'kubelet-device-plugins-dir', hostPath: { path: DEVICE_PLUGINS_DIR, type: 'Directory' } },
      ],
    });
    annotateSyncWaves(this);
  }
}
