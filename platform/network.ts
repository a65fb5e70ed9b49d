/**
 * IPv4 CIDR arithmetic for the subnet plan. Pure functions: both the config validation and the
 * network stack use them, so the plan that is validated is the plan that is built.
 */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly address: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns a reason string when the text is not a canonical IPv4 CIDR. */
export function parseCidr(text: string): Ipv4Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return 'must be an IPv4 CIDR such as 10.20.0.0/16';
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) return 'has an octet above 255';
  if (prefix > 32) return 'has a prefix length above 32';
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 32 - prefix;
  if (address % 2 ** hostBits !== 0) {
    return `has host bits set: the network address of /${prefix} is ${formatCidr({ address: address - (address % 2 ** hostBits), prefix })}`;
  }
  return { address, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const a = cidr.address;
  return `${Math.floor(a / 2 ** 24) % 256}.${Math.floor(a / 2 ** 16) % 256}.${Math.floor(a / 2 ** 8) % 256}.${a % 256}/${cidr.prefix}`;
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)`, computed at synth time so the plan is reviewable. */
export function cidrSubnet(base: Ipv4Cidr, newBits: number, netNum: number): Ipv4Cidr {
  const prefix = base.prefix + newBits;
  if (prefix > 32) throw new RangeError(`cannot add ${newBits} bits to /${base.prefix}`);
  if (netNum < 0 || netNum >= 2 ** newBits)
    throw new RangeError(`netnum ${netNum} does not fit in ${newBits} bits`);
  return { address: base.address + netNum * 2 ** (32 - prefix), prefix };
}

/** VPC prefixes the subnet plan supports: /16 (largest AWS allows) to /20 (public subnets of /28, AWS's smallest). */
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 20;

/** Zone letters that have a reserved slot in the plan (`a` is slot 0). */
export const ZONE_SLOTS = 'abcdefgh';

export interface ZoneSubnets {
  readonly zone: string;
  /** Zone letter, e.g. `a` for ca-central-1a. */
  readonly suffix: string;
  readonly private: string;
  readonly public: string;
}

/**
 * The subnet plan: each zone owns a fixed slot chosen by its letter, so adding, removing or
 * reordering zones never renumbers another zone's subnets (a renumbered subnet is a replaced
 * subnet, and every node and load balancer in it goes with it).
 *
 * - private subnets (nodes and pods: the VPC CNI gives every pod a VPC address) take the lower
 *   half of the VPC, one sixteenth each: a /20 of a /16;
 * - public subnets (load balancers and NAT gateways only) take one 256th each in the upper half:
 *   a /24 of a /16.
 */
export function zoneSubnets(vpcCidr: string, zone: string): ZoneSubnets {
  const vpc = parseCidr(vpcCidr);
  if (typeof vpc === 'string') throw new Error(`network.cidr ${vpcCidr} ${vpc}`);
  const suffix = zone.slice(-1);
  const slot = ZONE_SLOTS.indexOf(suffix);
  if (slot < 0) throw new Error(`availability zone ${zone} has no subnet slot (letters ${ZONE_SLOTS})`);
  return {
    zone,
    suffix,
    private: formatCidr(cidrSubnet(vpc, 4, slot)),
    public: formatCidr(cidrSubnet(vpc, 8, 128 + slot)),
  };
}
