/**
 * The NVIDIA GPU node groups of a cluster: the groups whose instance types carry NVIDIA GPUs, so
 * that EKS gives them an AL2023 NVIDIA AMI (platform/instance-types.ts, `AMI_TYPES`). That AMI
 * ships the driver and the container toolkit, not the device plugin: "When using the EKS-optimized
 * AL2023 AMIs with NVIDIA GPUs, you must install the NVIDIA Kubernetes device plugin"
 * (https://docs.aws.amazon.com/eks/latest/userguide/ml-eks-k8s-device-plugin.html), which the
 * `nvidiaDevicePlugin` add-on renders on exactly these nodes.
 */
import { nodeGroupHardware } from './instance-types';

/** The cluster's node groups with NVIDIA GPUs, in config order. */
export function nvidiaNodeGroups<G extends { readonly instanceTypes: readonly string[] }>(cluster: {
  readonly nodeGroups: readonly G[];
}): G[] {
  return cluster.nodeGroups.filter((g) => nodeGroupHardware(g.instanceTypes).accelerator === 'nvidia');
}

/** The instance types of those groups, deduplicated, in config order. */
export function nvidiaInstanceTypes(cluster: {
  readonly nodeGroups: readonly { readonly instanceTypes: readonly string[] }[];
}): string[] {
  return [...new Set(nvidiaNodeGroups(cluster).flatMap((g) => g.instanceTypes))];
}
