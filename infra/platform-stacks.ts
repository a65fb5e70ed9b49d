import type { App } from 'cdktf';
import { stackNames } from '../platform/names';
import type { PlatformConfig } from '../platform/schema';
import { BootstrapStack } from './stacks/bootstrap-stack';
import { ClusterStack } from './stacks/cluster-stack';
import { LiveDnsStack } from './stacks/live-dns-stack';
import { NetworkStack } from './stacks/network-stack';

export interface PlatformStacks {
  readonly network: NetworkStack;
  /** One stack per cluster, in config order. */
  readonly clusters: readonly ClusterStack[];
  /** Argo CD of each cluster (`<env>-<color>-bootstrap`), in config order. */
  readonly bootstraps: readonly BootstrapStack[];
  /** The DNS records that follow `live` (`<env>-live-dns`). */
  readonly liveDns: LiveDnsStack;
}

/**
 * Adds the Terraform stacks of one environment to a cdktf App: `<env>-network`, then one stack per
 * cluster (`<env>-<color>`). The cluster stacks read the subnet ids through cdktf cross-stack
 * references (an output of the network stack, read back with terraform_remote_state from the
 * network stack's backend), so they depend on the network stack and `cdktf deploy` orders them.
 * Then, per cluster, `<env>-<color>-bootstrap` (Argo CD, deployed after its cluster stack), and
 * `<env>-live-dns`, the records a blue/green switch moves.
 */
export function addPlatformStacks(app: App, config: PlatformConfig): PlatformStacks {
  const network = new NetworkStack(app, stackNames.network(config), { config });
  const clusters = config.clusters.map(
    (cluster) => new ClusterStack(app, stackNames.cluster(config, cluster), { config, cluster, network }),
  );
  const bootstraps = config.clusters.map(
    (cluster, i) =>
      new BootstrapStack(app, stackNames.bootstrap(config, cluster), {
        config,
        cluster,
        clusterStack: clusters[i] as ClusterStack,
      }),
  );
  const liveDns = new LiveDnsStack(app, stackNames.liveDns(config), { config });
  return { network, clusters, bootstraps, liveDns };
}
