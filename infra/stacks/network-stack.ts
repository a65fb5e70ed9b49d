import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { clusterName } from '../../platform/names';
import { zoneSubnets } from '../../platform/network';
import type { PlatformConfig } from '../../platform/schema';

export interface NetworkStackProps {
  readonly config: PlatformConfig;
}

/**
 * The VPC of an environment, shared by its clusters: blue and green live in the same network so a
 * switch moves DNS, not addresses. Subnets come from the subnet plan of platform/network.ts.
 */
export class NetworkStack extends TerraformStack {
  readonly vpc: Vpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id);
    const { config } = props;
    new AwsProvider(this, 'aws', { region: config.region, defaultTags: [{ tags: config.tags }] });

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: config.network.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: `${config.name}-vpc` },
    });

    // Every cluster of the environment may place load balancers in these subnets.
    // https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html#network-requirements-subnets
    const clusterTags = Object.fromEntries(
      config.clusters.map((c) => [`kubernetes.io/cluster/${clusterName(config, c)}`, 'shared']),
    );
    for (const zone of config.network.availabilityZones) {
      const plan = zoneSubnets(config.network.cidr, zone);
      new Subnet(this, `subnet-private-${plan.suffix}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: plan.private,
        tags: {
          Name: `${config.name}-private-${plan.suffix}`,
          'kubernetes.io/role/internal-elb': '1',
          ...clusterTags,
        },
      });
      new Subnet(this, `subnet-public-${plan.suffix}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: plan.public,
        tags: { Name: `${config.name}-public-${plan.suffix}`, 'kubernetes.io/role/elb': '1', ...clusterTags },
      });
    }
  }
}
