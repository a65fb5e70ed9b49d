import { Quantity, type ResourceRequirements } from 'cdk8s-plus-27/lib/imports/k8s';
import type { AppConfig } from '../../platform/schema';

export type ResourcesConfig = AppConfig['resources'];

/**
 * Requests and limits of a container from config. The memory limit defaults to the request:
 * memory is not compressible, and a pod using more than it asked for is the first the kubelet
 * evicts under node pressure. The CPU limit is set only when config asks: CPU throttling adds
 * latency, and requests already decide the pod's share of a busy node.
 * https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export function containerResources(config: ResourcesConfig): ResourceRequirements {
  return {
    requests: { cpu: Quantity.fromString(config.cpu), memory: Quantity.fromString(config.memory) },
    limits: {
      memory: Quantity.fromString(config.memoryLimit ?? config.memory),
      ...(config.cpuLimit !== undefined ? { cpu: Quantity.fromString(config.cpuLimit) } : {}),
    },
  };
}
