import type { App } from 'cdktf';
import { stackNames } from '../platform/names';
import type { PlatformConfig } from '../platform/schema';
import { ClusterStack } from './stacks/cluster-stack';
import { NetworkStack } from './stacks/network-stack';

export interface PlatformStacks {
  readonly network: NetworkStack;
  /** One stack per cluster, in config order. */
  readonly clusters: readonly ClusterStack[];
}

/**
 * Adds the Terraform stacks of one environment to a cdktf App: `<env>-network`, then one stack per
 * cluster (`<env>-<color>`). The cluster stacks read the subnet ids through cdktf cross-stack
 * references (an output of the network stack, read back with terraform_remote_state from the
 * network stack's backend), so they depend on the network stack and `cdktf deploy` orders them.
 */
export function addPlatformStacks(app: App, config: PlatformConfig): PlatformStacks {
  const network = new NetworkStack(app, stackNames.network(config), { config });
  const clusters = config.clusters.map(
    (cluster) => new ClusterStack(app, stackNames.cluster(config, cluster), { config, cluster, network }),
  );
  return { network, clusters };
}
