import type { PodSecurityContext, SecurityContext } from 'cdk8s-plus-27/lib/imports/k8s';

/**
 * The pod-level security of an add-on: a numeric non-root user (the kubelet can only verify
 * `runAsNonRoot` against a numeric user) and the runtime's default seccomp profile, as the
 * `restricted` Pod Security Standard asks.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export function addonPodSecurityContext(uid: number): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The container-level security of an add-on: read-only root filesystem, no privilege escalation,
 * every Linux capability dropped. Every add-on image of the catalog is a static binary that
 * writes nothing to its root filesystem, so none needs an exception.
 */
export function addonContainerSecurityContext(): SecurityContext {
  return {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  };
}
