/**
 * The restricted Pod Security Standard, in one place for every pod the platform renders: the
 * apps' (`restrictedPodSpec`, below) and the add-ons' (`AddonWorkload`, addon-workload.ts), with
 * its one documented escape hatch for node agents that must run as root (`PodSecurityException`).
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import {
  type Container,
  type PodSecurityContext,
  type PodSpec,
  Quantity,
  type SecurityContext,
} from 'cdk8s-plus-27/lib/imports/k8s';
import { POLICY_EXCEPTION_PREFIX } from '../../platform/names';
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
 * The pod-level security of the restricted standard: a numeric non-root user (the kubelet can only
 * verify `runAsNonRoot` against a numeric user) and the runtime's default seccomp profile. Add-ons
 * pass the user their upstream image runs as.
 */
export function restrictedPodSecurityContext(uid: number = NON_ROOT_UID): PodSecurityContext {
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
 * capability dropped, read-only root filesystem.
 */
export function restrictedContainerSecurityContext(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}

/**
 * The one escape hatch from the restricted standard, for a node agent that must act on the host
 * as root (a device plugin writing its socket into the kubelet's root-owned directory). Each
 * relaxation carries its reason; everything else stays restricted: no privilege escalation, every
 * capability dropped, the RuntimeDefault seccomp profile. Only add-on DaemonSets take it
 * (`AddonWorkload`), and the pods then need a namespace without Pod Security enforcement
 * (kube-system).
 */
export interface PodSecurityException {
  /**
   * Why the pods run as root (user and group 0). Written on the pod template as the exception to
   * the `run-as-non-root` rule, so `npm run check` shows it.
   */
  readonly runAsRoot: string;
  /** Why the root filesystem stays writable. @default - read-only, as restricted */
  readonly writableRootFilesystem?: string;
}

/** The run-as-non-root rule's exception key (cli/rules/container-policy.ts, rule id `run-as-non-root`). */
export const RUN_AS_ROOT_EXCEPTION = `${POLICY_EXCEPTION_PREFIX}run-as-non-root`;

/** The pod-level security of a pod that takes the exception: root, RuntimeDefault seccomp. */
export function exceptedPodSecurityContext(): PodSecurityContext {
  return { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } };
}

/** The container-level security under the exception: the restricted one, root filesystem as stated. */
export function exceptedContainerSecurityContext(exception: PodSecurityException): SecurityContext {
  return {
    ...restrictedContainerSecurityContext(),
    ...(exception.writableRootFilesystem !== undefined ? { readOnlyRootFilesystem: false } : {}),
  };
}

/** The pod template annotations that record the exception and its reason. */
export function podSecurityExceptionAnnotations(exception: PodSecurityException): Record<string, string> {
  return { [RUN_AS_ROOT_EXCEPTION]: exception.runAsRoot };
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
    volumes: [{ name: TMP_VOLUME, emptyDir: { sizeLimit: Quantity.fromString(TMP_SIZE_LIMIT) } }],
    ...(affinity !== undefined ? { affinity } : {}),
    ...(tolerations !== undefined ? { tolerations } : {}),
    ...(props.topologySpreadConstraints !== undefined
      ? { topologySpreadConstraints: props.topologySpreadConstraints }
      : {}),
  };
}
