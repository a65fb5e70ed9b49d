import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Route53ZoneAssociation } from '@cdktf/provider-aws/lib/route53-zone-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { clusterName, vpcName } from '../../platform/names';
import { type ZoneSubnets, zoneSubnets } from '../../platform/network';
import type { PlatformConfig } from '../../platform/schema';
import { awsProvider } from '../aws-provider';
import { useStateBackend } from '../state-backend';

export interface NetworkStackProps {
  readonly config: PlatformConfig;
}

/**
 * The VPC of an environment, shared by its clusters: blue and green live in the same network so a
 * switch moves DNS, not addresses. Subnets come from the subnet plan of platform/network.ts.
 *
 * Every logical ID is derived from config (a zone letter, never a list index), so adding a zone
 * adds resources and renames none. Each zone keeps its own private route table whatever the NAT
 * mode, so switching `natGateways` from single to perAz changes route targets, not route tables.
 */
export class NetworkStack extends TerraformStack {
  readonly vpc: Vpc;
  /** Private subnets (nodes and pods) by zone letter, e.g. `a` for ca-central-1a. */
  readonly privateSubnets: Readonly<Record<string, Subnet>>;
  /** Public subnets (load balancers and NAT gateways) by zone letter. */
  readonly publicSubnets: Readonly<Record<string, Subnet>>;
  /** The private hosted zone's association with the VPC, unless dns.private.associateVpc is false. */
  readonly privateZoneAssociation?: Route53ZoneAssociation;
  /** NAT gateways by the letter of the zone they live in: one, or one per zone. */
  readonly natGateways: Readonly<Record<string, NatGateway>>;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id);
    const { config } = props;
    awsProvider(this, config);
    useStateBackend(this, config);

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: config.network.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: vpcName(config) },
    });

    const plans = config.network.availabilityZones.map((zone) => zoneSubnets(config.network.cidr, zone));

    // Every cluster of the environment may place load balancers in these subnets.
    // https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html#network-requirements-subnets
    const clusterTags = Object.fromEntries(
      config.clusters.map((c) => [`kubernetes.io/cluster/${clusterName(config, c)}`, 'shared']),
    );
    const privateSubnets: Record<string, Subnet> = {};
    const publicSubnets: Record<string, Subnet> = {};
    for (const plan of plans) {
      privateSubnets[plan.suffix] = new Subnet(this, `subnet-private-${plan.suffix}`, {
        vpcId: this.vpc.id,
        availabilityZone: plan.zone,
        cidrBlock: plan.private,
        tags: {
          Name: `${config.name}-private-${plan.suffix}`,
          'kubernetes.io/role/internal-elb': '1',
          ...clusterTags,
        },
      });
      publicSubnets[plan.suffix] = new Subnet(this, `subnet-public-${plan.suffix}`, {
        vpcId: this.vpc.id,
        availabilityZone: plan.zone,
        cidrBlock: plan.public,
        // Only load balancers and NAT gateways live here; nothing gets a public address by accident.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${config.name}-public-${plan.suffix}`, 'kubernetes.io/role/elb': '1', ...clusterTags },
      });
    }
    this.privateSubnets = privateSubnets;

    // The private zone (created outside the platform, with another VPC: a private zone needs one)
    // only answers inside the VPCs associated with it: without this, nodes, pods and the kubeconfig
    // wrapper inside the VPC could not resolve the apps' private names nor api./eks.<zone>.
    // Route 53 refuses to associate a VPC that is already associated with the zone, hence
    // dns.private.associateVpc: false for a zone created with this VPC or an adopted setup.
    // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-associate-vpcs.html
    // https://docs.aws.amazon.com/Route53/latest/APIReference/API_AssociateVPCWithHostedZone.html
    if (config.dns.private.associateVpc) {
      this.privateZoneAssociation = new Route53ZoneAssociation(this, 'private-zone-association', {
        zoneId: config.dns.private.zoneId,
        vpcId: this.vpc.id,
      });
    }
    this.publicSubnets = publicSubnets;

    const internetGateway = new InternetGateway(this, 'internet-gateway', {
      vpcId: this.vpc.id,
      tags: { Name: `${config.name}-igw` },
    });
    const publicRoutes = new RouteTable(this, 'route-table-public', {
      vpcId: this.vpc.id,
      tags: { Name: `${config.name}-public` },
    });
    new Route(this, 'route-public-internet', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: internetGateway.id,
    });
    for (const plan of plans) {
      new RouteTableAssociation(this, `route-table-association-public-${plan.suffix}`, {
        subnetId: byZone(publicSubnets, plan.suffix).id,
        routeTableId: publicRoutes.id,
      });
    }

    this.natGateways = this.addNatGateways(config, plans, internetGateway);

    for (const plan of plans) {
      const nat = byZone(this.natGateways, natZoneFor(config, plan));
      const privateRoutes = new RouteTable(this, `route-table-private-${plan.suffix}`, {
        vpcId: this.vpc.id,
        tags: { Name: `${config.name}-private-${plan.suffix}` },
      });
      new Route(this, `route-private-nat-${plan.suffix}`, {
        routeTableId: privateRoutes.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: nat.id,
      });
      new RouteTableAssociation(this, `route-table-association-private-${plan.suffix}`, {
        subnetId: byZone(privateSubnets, plan.suffix).id,
        routeTableId: privateRoutes.id,
      });
    }
  }

  private addNatGateways(
    config: PlatformConfig,
    plans: readonly ZoneSubnets[],
    internetGateway: InternetGateway,
  ): Record<string, NatGateway> {
    const natZones = new Set(plans.map((plan) => natZoneFor(config, plan)));
    const gateways: Record<string, NatGateway> = {};
    for (const plan of plans.filter((p) => natZones.has(p.suffix))) {
      const address = new Eip(this, `nat-eip-${plan.suffix}`, {
        domain: 'vpc',
        tags: { Name: `${config.name}-nat-${plan.suffix}` },
      });
      gateways[plan.suffix] = new NatGateway(this, `nat-gateway-${plan.suffix}`, {
        allocationId: address.allocationId,
        subnetId: byZone(this.publicSubnets, plan.suffix).id,
        connectivityType: 'public',
        tags: { Name: `${config.name}-nat-${plan.suffix}` },
        // A NAT gateway needs the internet gateway attached before it can route.
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/nat_gateway
        dependsOn: [internetGateway],
      });
    }
    return gateways;
  }
}

/**
 * The zone letter of the NAT gateway a zone's private subnet routes through: its own with
 * `perAz` (a zone outage does not cut the others off), else the first listed zone's. The single
 * gateway carries the same logical ID it would have in perAz mode, so moving to perAz only adds.
 */
export function natZoneFor(config: PlatformConfig, plan: ZoneSubnets): string {
  if (config.network.natGateways === 'perAz') return plan.suffix;
  const first = config.network.availabilityZones[0] ?? plan.zone;
  return first.slice(-1);
}

function byZone<T>(byLetter: Readonly<Record<string, T>>, letter: string): T {
  const found = byLetter[letter];
  if (found === undefined) throw new Error(`no resource for zone letter ${letter}`);
  return found;
}
