import { describe, expect, it } from 'vitest';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { type Block, one, ref, withoutMetadata } from './stack-json';

describe('network stack', () => {
  const prod = fixtureConfig('prod');
  const dev = fixtureConfig('dev');
  const rendering = renderConfigs([prod, dev]);
  const prodNetwork = stackOf(rendering, 'prod-network');
  const devNetwork = stackOf(rendering, 'dev-network');

  it('creates one network stack per environment, named <environment>-network', () => {
    const names = rendering.stacks.map((s) => s.name);
    expect(names).toContain('prod-network');
    expect(names).toContain('dev-network');
  });

  it('creates the VPC from network.cidr with DNS hostnames and DNS support', () => {
    const vpc = one(resourcesOf(prodNetwork, 'aws_vpc'), 'vpc');
    expect(vpc.cidr_block).toBe('10.20.0.0/16');
    expect(vpc.enable_dns_hostnames).toBe(true);
    expect(vpc.enable_dns_support).toBe(true);
  });

  it("associates the environment's private hosted zone with its VPC, so the zone's names resolve inside it", () => {
    expect(resourcesOf(prodNetwork, 'aws_route53_zone_association')).toEqual({
      'private-zone-association': expect.objectContaining({
        zone_id: 'Z0000000PRIVATE',
        vpc_id: ref('aws_vpc.vpc.id'),
      }),
    });
    expect(
      one(resourcesOf(devNetwork, 'aws_route53_zone_association'), 'private-zone-association').zone_id,
    ).toBe('Z0000000DEVPRIV');
    // The public zone answers on the internet: a VPC cannot be associated with it.
    expect(JSON.stringify(resourcesOf(prodNetwork, 'aws_route53_zone_association'))).not.toContain(
      prod.dns.public.zoneId,
    );
  });

  it('leaves the association out when the config says the zone is already associated with the VPC', () => {
    const adopted = fixtureConfig('prod', (raw) => {
      raw.dns.private.associateVpc = false;
    });
    const network = stackOf(renderConfigs([adopted]), 'prod-network');
    expect(resourcesOf(network, 'aws_route53_zone_association')).toEqual({});
    expect(prod.dns.private.associateVpc).toBe(true);
  });

  it("puts the config's tags on every resource of every stack through the provider's default tags", () => {
    const configs = { prod, dev } as const;
    expect(rendering.stacks).toHaveLength(10);
    for (const stack of rendering.stacks) {
      const config = configs[stack.environment as keyof typeof configs];
      const providers = (stack.json.provider as Block).aws as Block[];
      expect(providers, stack.name).toHaveLength(1);
      expect(providers[0]?.region).toBe(config.region);
      expect(providers[0]?.default_tags).toEqual([{ tags: config.tags }]);
    }
  });

  it('gives every zone a private /20 and a public /24 chosen by its zone letter', () => {
    const subnets = resourcesOf(prodNetwork, 'aws_subnet');
    const plan = Object.fromEntries(
      Object.entries(subnets).map(([id, s]) => [id, [s.availability_zone, s.cidr_block]]),
    );
    expect(plan).toEqual({
      'subnet-private-a': ['ca-central-1a', '10.20.0.0/20'],
      'subnet-private-b': ['ca-central-1b', '10.20.16.0/20'],
      'subnet-private-d': ['ca-central-1d', '10.20.48.0/20'],
      'subnet-public-a': ['ca-central-1a', '10.20.128.0/24'],
      'subnet-public-b': ['ca-central-1b', '10.20.129.0/24'],
      'subnet-public-d': ['ca-central-1d', '10.20.131.0/24'],
    });
    for (const subnet of Object.values(subnets)) expect(subnet.vpc_id).toBe(ref('aws_vpc.vpc.id'));
  });

  it('tags public subnets for internet-facing and private ones for internal load balancers, shared by every cluster', () => {
    for (const [id, subnet] of Object.entries(resourcesOf(prodNetwork, 'aws_subnet'))) {
      const isPublic = id.startsWith('subnet-public-');
      expect(subnet.tags['kubernetes.io/cluster/prod-blue']).toBe('shared');
      expect(subnet.tags['kubernetes.io/cluster/prod-green']).toBe('shared');
      expect(subnet.tags[isPublic ? 'kubernetes.io/role/elb' : 'kubernetes.io/role/internal-elb']).toBe('1');
      expect(
        subnet.tags[isPublic ? 'kubernetes.io/role/internal-elb' : 'kubernetes.io/role/elb'],
      ).toBeUndefined();
    }
    const devTags = one(resourcesOf(devNetwork, 'aws_subnet'), 'subnet-private-a').tags;
    expect(Object.keys(devTags).filter((k) => k.startsWith('kubernetes.io/cluster/'))).toEqual([
      'kubernetes.io/cluster/dev-blue',
    ]);
  });

  it('routes the public subnets to the internet through an internet gateway', () => {
    const igw = one(resourcesOf(prodNetwork, 'aws_internet_gateway'), 'internet-gateway');
    expect(igw.vpc_id).toBe(ref('aws_vpc.vpc.id'));
    const route = one(resourcesOf(prodNetwork, 'aws_route'), 'route-public-internet');
    expect(route).toMatchObject({
      route_table_id: ref('aws_route_table.route-table-public.id'),
      destination_cidr_block: '0.0.0.0/0',
      gateway_id: ref('aws_internet_gateway.internet-gateway.id'),
    });
    const associations = resourcesOf(prodNetwork, 'aws_route_table_association');
    for (const letter of ['a', 'b', 'd']) {
      expect(one(associations, `route-table-association-public-${letter}`)).toMatchObject({
        subnet_id: ref(`aws_subnet.subnet-public-${letter}.id`),
        route_table_id: ref('aws_route_table.route-table-public.id'),
      });
    }
  });

  it('with perAz NAT, gives each zone its own NAT gateway and routes its private subnet through it', () => {
    const nats = resourcesOf(prodNetwork, 'aws_nat_gateway');
    expect(Object.keys(nats).sort()).toEqual(['nat-gateway-a', 'nat-gateway-b', 'nat-gateway-d']);
    for (const letter of ['a', 'b', 'd']) {
      expect(one(nats, `nat-gateway-${letter}`)).toMatchObject({
        allocation_id: ref(`aws_eip.nat-eip-${letter}.allocation_id`),
        subnet_id: ref(`aws_subnet.subnet-public-${letter}.id`),
        connectivity_type: 'public',
        depends_on: ['aws_internet_gateway.internet-gateway'],
      });
      expect(one(resourcesOf(prodNetwork, 'aws_eip'), `nat-eip-${letter}`).domain).toBe('vpc');
      expect(one(resourcesOf(prodNetwork, 'aws_route'), `route-private-nat-${letter}`)).toMatchObject({
        route_table_id: ref(`aws_route_table.route-table-private-${letter}.id`),
        destination_cidr_block: '0.0.0.0/0',
        nat_gateway_id: ref(`aws_nat_gateway.nat-gateway-${letter}.id`),
      });
      expect(
        one(
          resourcesOf(prodNetwork, 'aws_route_table_association'),
          `route-table-association-private-${letter}`,
        ),
      ).toMatchObject({
        subnet_id: ref(`aws_subnet.subnet-private-${letter}.id`),
        route_table_id: ref(`aws_route_table.route-table-private-${letter}.id`),
      });
    }
  });

  it("with a single NAT, puts it in the first zone's public subnet and routes every private subnet through it", () => {
    const nats = resourcesOf(devNetwork, 'aws_nat_gateway');
    expect(Object.keys(nats)).toEqual(['nat-gateway-a']);
    expect(one(nats, 'nat-gateway-a').subnet_id).toBe(ref('aws_subnet.subnet-public-a.id'));
    expect(Object.keys(resourcesOf(devNetwork, 'aws_eip'))).toEqual(['nat-eip-a']);
    const routes = resourcesOf(devNetwork, 'aws_route');
    for (const letter of ['a', 'b']) {
      expect(one(routes, `route-private-nat-${letter}`)).toMatchObject({
        route_table_id: ref(`aws_route_table.route-table-private-${letter}.id`),
        nat_gateway_id: ref('aws_nat_gateway.nat-gateway-a.id'),
      });
    }
  });

  it('keeps the single NAT gateway and its address when switching to perAz, adding the others', () => {
    const perAz = renderConfigs([
      fixtureConfig('dev', (raw) => {
        raw.network.natGateways = 'perAz';
      }),
    ]);
    const after = stackOf(perAz, 'dev-network');
    for (const [type, id] of [
      ['aws_nat_gateway', 'nat-gateway-a'],
      ['aws_eip', 'nat-eip-a'],
    ] as const) {
      expect(withoutMetadata(one(resourcesOf(after, type), id))).toEqual(
        withoutMetadata(one(resourcesOf(devNetwork, type), id)),
      );
    }
    expect(Object.keys(resourcesOf(after, 'aws_nat_gateway'))).toEqual(['nat-gateway-a', 'nat-gateway-b']);
    expect(one(resourcesOf(after, 'aws_route'), 'route-private-nat-b').nat_gateway_id).toBe(
      ref('aws_nat_gateway.nat-gateway-b.id'),
    );
  });

  it('keeps the CIDRs and logical IDs of the first three zones when a fourth zone is added', () => {
    const fourZones = renderConfigs([
      fixtureConfig('prod', (raw) => {
        raw.network.availabilityZones = ['ca-central-1a', 'ca-central-1b', 'ca-central-1d', 'ca-central-1c'];
      }),
    ]);
    const after = stackOf(fourZones, 'prod-network');
    const before = resourcesOf(prodNetwork, 'aws_subnet');
    const now = resourcesOf(after, 'aws_subnet');
    for (const [id, subnet] of Object.entries(before)) {
      expect(now[id]?.cidr_block).toBe(subnet.cidr_block);
      expect(withoutMetadata(now[id])).toEqual(withoutMetadata(subnet));
    }
    expect(one(now, 'subnet-private-c')).toMatchObject({
      availability_zone: 'ca-central-1c',
      cidr_block: '10.20.32.0/20',
    });
    expect(one(now, 'subnet-public-c').cidr_block).toBe('10.20.130.0/24');
    // Nothing of the first three zones is renamed or changed: the new zone only adds resources.
    for (const [type, byId] of Object.entries(prodNetwork.json.resource as Record<string, Block>)) {
      for (const [id, body] of Object.entries(byId as Record<string, Block>)) {
        expect(withoutMetadata(resourcesOf(after, type)[id]), `${type}.${id}`).toEqual(withoutMetadata(body));
      }
    }
    const added = Object.entries(after.json.resource as Record<string, Block>).flatMap(([type, byId]) =>
      Object.keys(byId).filter((id) => resourcesOf(prodNetwork, type)[id] === undefined),
    );
    expect(added.every((id) => id.endsWith('-c'))).toBe(true);
  });

  it('stores state in the S3 backend of the config, one key per stack, locked with S3 lock files', () => {
    for (const name of ['prod-network', 'prod-blue', 'prod-green']) {
      const backend = (stackOf(rendering, name).json.terraform as Block).backend;
      expect(backend).toEqual({
        s3: {
          bucket: 'tfstate-prod-111111111111',
          key: `eks-platform/${name}.tfstate`,
          region: 'ca-central-1',
          encrypt: true,
          use_lockfile: true,
        },
      });
    }
  });

  it('stores state in a local file with a relative path when the config has no backend', () => {
    for (const name of ['dev-network', 'dev-blue']) {
      const backend = (stackOf(rendering, name).json.terraform as Block).backend;
      expect(backend).toEqual({ local: { path: `../../../terraform.${name}.tfstate` } });
    }
  });
});
