/**
 * Kubernetes versions this platform can render. EKS standard support covers four minors at a
 * time; 1.32 is the oldest minor whose APIs every rendered object uses
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.32', '1.33', '1.34', '1.35'] as const;

export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];

/**
 * End of EKS standard support of each minor (UTC, the day extended-support billing starts), from
 * the Amazon EKS Kubernetes release calendar
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar;
 * 1.35 as listed at https://endoflife.date/amazon-eks, which mirrors that calendar). A cluster
 * whose upgrade policy is STANDARD is upgraded by EKS itself once this day has come.
 */
export const END_OF_STANDARD_SUPPORT = {
  '1.32': '2026-03-23',
  '1.33': '2026-07-29',
  '1.34': '2026-12-02',
  '1.35': '2027-03-27',
} as const satisfies Record<KubernetesVersion, string>;

/**
 * EKS upgrade policies (`upgrade_policy.support_type`). EKS defaults to EXTENDED, billed at the
 * extended rate once standard support of the minor ends; STANDARD lets EKS upgrade the control
 * plane at that date instead. https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html
 */
export const SUPPORT_TYPES = ['STANDARD', 'EXTENDED'] as const;
export type SupportType = (typeof SUPPORT_TYPES)[number];
