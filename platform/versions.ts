/**
 * Kubernetes versions this platform can render. EKS standard support covers four minors at a
 * time; 1.32 is the oldest minor whose APIs every rendered object uses
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.32', '1.33', '1.34', '1.35'] as const;

export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];
