import { Quantity, type ResourceRequirements } from 'cdk8s-plus-27/lib/imports/k8s';

export interface AddonResourcesProps {
  readonly cpu: string;
  readonly memory: string;
  /** @default - equal to the memory request */
  readonly memoryLimit?: string;
  /** @default - no CPU limit: throttling a controller slows its loop, requests already share the node */
  readonly cpuLimit?: string;
}

/**
 * Requests and a memory limit for an add-on container. Memory is not compressible: without a
 * limit a leaking add-on takes memory from the workloads of its node.
 * https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export function addonResources(props: AddonResourcesProps): ResourceRequirements {
  return {
    requests: { cpu: Quantity.fromString(props.cpu), memory: Quantity.fromString(props.memory) },
    limits: {
      memory: Quantity.fromString(props.memoryLimit ?? props.memory),
      ...(props.cpuLimit !== undefined ? { cpu: Quantity.fromString(props.cpuLimit) } : {}),
    },
  };
}
