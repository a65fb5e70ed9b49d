/**
 * The restricted Pod Security Standard, in one place for every pod the platform renders: the
 * apps' (`restrictedPodSpec`, below) and the add-ons' (`AddonWorkload`, addon-workload.ts), with
 * its one documented escape hatch for node agents (`HostPrivileges`).
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import {
  type Container,
  type PodSecurityContext,
  type PodSpec,
  Quantity,
  type SecurityContext,
  type Volume,
} from 'cdk8s-plus-27/lib/imports/k8s';
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

/**
 * The one escape hatch from the restricted standard, for a node agent that must change its node
 * (node-local DNS adds iptables rules and a network interface to the host). Each field relaxes
 * exactly one control, everything else stays restricted (RuntimeDefault seccomp, no privilege
 * escalation), and `reason` says why, beside the fields, for the reviewer. It is not an exception
 * to the check rules: the chart still writes `policy.eks-platform.io/exception-<rule>` with its
 * reason on the pod template for each rule the pod then breaks (docs/checks.md).
 * Only add-on workloads (`AddonWorkload`) take it; app pods (`restrictedPodSpec`) never do.
 */
export interface HostPrivileges {
  /** Why the workload needs these relaxations: one sentence, for the reviewer. */
  readonly reason: string;
  /** Runs in the node's network namespace (`hostNetwork: true`). @default false */
  readonly hostNetwork?: boolean;
  /**
   * Runs as root (user and group 0), the upstream image's user: capabilities added to a container
   * are only effective for root. @default false
   */
  readonly runAsRoot?: boolean;
  /**
   * Linux capabilities added to the runtime's default set, which is then kept (not dropped) as
   * upstream runs it. @default - none added, every capability dropped
   */
  readonly addCapabilities?: readonly string[];
  /** Leaves the root filesystem writable, for an image that writes its own files. @default false */
  readonly writableRootFilesystem?: boolean;
}

/**
 * The pod-level security of the restricted standard: a numeric non-root user (the kubelet can only
 * verify `runAsNonRoot` against a numeric user) and the runtime's default seccomp profile. Add-ons
 * pass the user their upstream image runs as; a node agent with `HostPrivileges.runAsRoot` runs as
 * root and keeps the seccomp profile.
 */
export function restrictedPodSecurityContext(
  uid: number = NON_ROOT_UID,
  privileges?: HostPrivileges,
): PodSecurityContext {
  if (privileges?.runAsRoot === true) {
    return { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } };
  }
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The container-level security of the restricted standard: no privilege escalation, every Linux
 * capability dropped, read-only root filesystem; relaxed only as `privileges` says.
 */
export function restrictedContainerSecurityContext(privileges?: HostPrivileges): SecurityContext {
  const added = privileges?.addCapabilities ?? [];
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: privileges?.writableRootFilesystem !== true,
    capabilities: added.length > 0 ? { add: [...added] } : { drop: ['ALL'] },
  };
}

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
  /** Volumes besides /tmp (the containers mount them). @default - none */
  readonly volumes?: readonly Volume[];
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
    securityContext: restrictedPodSecurityContext(),
    containers: props.containers.map((container) => ({
      ...container,
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: [...(container.volumeMounts ?? []), { name: TMP_VOLUME, mountPath: '/tmp' }],
    })),
    volumes: [
      { name: TMP_VOLUME, emptyDir: { sizeLimit: Quantity.fromString(TMP_SIZE_LIMIT) } },
      ...(props.volumes ?? []),
    ],
    ...(affinity !== undefined ? { affinity } : {}),
    ...(tolerations !== undefined ? { tolerations } : {}),
    ...(props.topologySpreadConstraints !== undefined
      ? { topologySpreadConstraints: props.topologySpreadConstraints }
      : {}),
  };
}
