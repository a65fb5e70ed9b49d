import { type Container, type PodSpec, Quantity } from 'cdk8s-plus-27/lib/imports/k8s';
import { type Placement, placementScheduling, type TolerationConfig } from './placement-scheduling';

/**
 * The numeric user and group every platform pod runs as (the `nonroot` user of distroless
 * images). It must be numeric: the kubelet can only verify `runAsNonRoot` against a numeric
 * user, and refuses to start an image whose USER is a name.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export const NON_ROOT_UID = 65532;

/** Scratch space mounted at /tmp, since the root filesystem is read-only. */
export const TMP_VOLUME = 'tmp';

/**
 * Bounds /tmp: an emptyDir without a limit can fill the node's disk and get every pod of the
 * node evicted; past the limit only this pod is evicted.
 */
export const TMP_SIZE_LIMIT = '1Gi';

export interface RestrictedPodSpecProps {
  /** The ServiceAccount the pods run as; its token is never mounted. */
  readonly serviceAccountName: string;
  /** The containers; each gets the restricted security context and /tmp. */
  readonly containers: readonly Container[];
  readonly placement: Placement;
  /** @default - tolerates no taint */
  readonly tolerations?: readonly TolerationConfig[];
  /** @default - Always, as Deployments require; Jobs pass OnFailure or Never */
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** @default - no spreading constraint */
  readonly topologySpreadConstraints?: PodSpec['topologySpreadConstraints'];
}

/**
 * A pod spec that meets the Kubernetes `restricted` Pod Security Standard, which the app
 * namespaces enforce: non-root numeric user, RuntimeDefault seccomp, no privilege escalation, no
 * capabilities, read-only root filesystem with a bounded emptyDir at /tmp. The security fields
 * overwrite whatever the containers carry, so a building block cannot weaken them by accident;
 * a workload that truly needs an exception writes its own spec, with the reason beside it.
 */
export function restrictedPodSpec(props: RestrictedPodSpecProps): PodSpec {
  const { affinity, tolerations } = placementScheduling(props.placement, props.tolerations ?? []);
  return {
    serviceAccountName: props.serviceAccountName,
    // No workload of the platform talks to the Kubernetes API; a mounted token would only be
    // something to steal.
    automountServiceAccountToken: false,
    // Service environment variables of every Service in the namespace are noise, and a large
    // namespace can push the environment past the exec limit; use DNS names instead.
    enableServiceLinks: false,
    ...(props.restartPolicy !== undefined ? { restartPolicy: props.restartPolicy } : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: NON_ROOT_UID,
      runAsGroup: NON_ROOT_UID,
      fsGroup: NON_ROOT_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: props.containers.map((container) => ({
      ...container,
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      },
      volumeMounts: [...(container.volumeMounts ?? []), { name: TMP_VOLUME, mountPath: '/tmp' }],
    })),
    volumes: [{ name: TMP_VOLUME, emptyDir: { sizeLimit: Quantity.fromString(TMP_SIZE_LIMIT) } }],
    ...(affinity !== undefined ? { affinity } : {}),
    ...(tolerations !== undefined ? { tolerations } : {}),
    ...(props.topologySpreadConstraints !== undefined
      ? { topologySpreadConstraints: props.topologySpreadConstraints }
      : {}),
  };
}
