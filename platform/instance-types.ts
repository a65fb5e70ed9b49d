/**
 * The EC2 instance types node groups may use, with what the platform needs to know about each:
 * the AMI architecture, and the capacity the scheduler sees (vCPU, memory, pods). The config
 * schema rejects any type that is not listed here, so a typo fails at load time rather than at
 * `cdktf deploy`, and the validations can check that pods fit without calling AWS.
 *
 * vCPU and memory: https://aws.amazon.com/ec2/instance-types/
 * Max pods: the VPC CNI limit without prefix delegation, ENIs × (IPv4 addresses per ENI − 1) + 2,
 * as published in https://github.com/awslabs/amazon-eks-ami/blob/main/templates/shared/runtime/eni-max-pods.txt
 * (the file seed 000 points to as "le tableau des limites").
 */

/** The CPU architecture of an instance type; it decides the node group's AMI type. */
export type Architecture = 'x86_64' | 'arm64';

export interface InstanceType {
  readonly vcpu: number;
  readonly memoryMiB: number;
  /** Pods a node can run with the VPC CNI (one VPC address per pod), host-network pods included. */
  readonly maxPods: number;
  readonly architecture: Architecture;
}

const x86 = (vcpu: number, memoryGiB: number, maxPods: number): InstanceType => ({
  vcpu,
  memoryMiB: memoryGiB * 1024,
  maxPods,
  architecture: 'x86_64',
});
// Graviton (AWS's ARM processors): the `g` after the generation digit.
const arm = (vcpu: number, memoryGiB: number, maxPods: number): InstanceType => ({
  vcpu,
  memoryMiB: memoryGiB * 1024,
  maxPods,
  architecture: 'arm64',
});

/** The catalog. Add a type here (with its eni-max-pods.txt figure) before using it in config/. */
export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = {
  // Burstable: dev and small clusters.
  't3.medium': x86(2, 4, 17),
  't3.large': x86(2, 8, 35),
  't3.xlarge': x86(4, 16, 58),
  't3.2xlarge': x86(8, 32, 58),
  't3a.medium': x86(2, 4, 17),
  't3a.large': x86(2, 8, 35),
  't3a.xlarge': x86(4, 16, 58),
  't3a.2xlarge': x86(8, 32, 58),
  't4g.medium': arm(2, 4, 17),
  't4g.large': arm(2, 8, 35),
  't4g.xlarge': arm(4, 16, 58),
  't4g.2xlarge': arm(8, 32, 58),
  // General purpose: 4 GiB per vCPU.
  'm5.large': x86(2, 8, 29),
  'm5.xlarge': x86(4, 16, 58),
  'm5.2xlarge': x86(8, 32, 58),
  'm5.4xlarge': x86(16, 64, 234),
  'm5a.large': x86(2, 8, 29),
  'm5a.xlarge': x86(4, 16, 58),
  'm5a.2xlarge': x86(8, 32, 58),
  'm5a.4xlarge': x86(16, 64, 234),
  'm6a.large': x86(2, 8, 29),
  'm6a.xlarge': x86(4, 16, 58),
  'm6a.2xlarge': x86(8, 32, 58),
  'm6a.4xlarge': x86(16, 64, 234),
  'm6i.large': x86(2, 8, 29),
  'm6i.xlarge': x86(4, 16, 58),
  'm6i.2xlarge': x86(8, 32, 58),
  'm6i.4xlarge': x86(16, 64, 234),
  'm7i.large': x86(2, 8, 29),
  'm7i.xlarge': x86(4, 16, 58),
  'm7i.2xlarge': x86(8, 32, 58),
  'm7i.4xlarge': x86(16, 64, 234),
  'm6g.medium': arm(1, 4, 8),
  'm6g.large': arm(2, 8, 29),
  'm6g.xlarge': arm(4, 16, 58),
  'm6g.2xlarge': arm(8, 32, 58),
  'm6g.4xlarge': arm(16, 64, 234),
  'm7g.medium': arm(1, 4, 8),
  'm7g.large': arm(2, 8, 29),
  'm7g.xlarge': arm(4, 16, 58),
  'm7g.2xlarge': arm(8, 32, 58),
  'm7g.4xlarge': arm(16, 64, 234),
  // Memory optimized: 8 GiB per vCPU.
  'r5.large': x86(2, 16, 29),
  'r5.xlarge': x86(4, 32, 58),
  'r5.2xlarge': x86(8, 64, 58),
  'r5.4xlarge': x86(16, 128, 234),
  'r6i.large': x86(2, 16, 29),
  'r6i.xlarge': x86(4, 32, 58),
  'r6i.2xlarge': x86(8, 64, 58),
  'r6i.4xlarge': x86(16, 128, 234),
  'r7g.medium': arm(1, 8, 8),
  'r7g.large': arm(2, 16, 29),
  'r7g.xlarge': arm(4, 32, 58),
  'r7g.2xlarge': arm(8, 64, 58),
  'r7g.4xlarge': arm(16, 128, 234),
  // Compute optimized: 2 GiB per vCPU.
  'c5.large': x86(2, 4, 29),
  'c5.xlarge': x86(4, 8, 58),
  'c5.2xlarge': x86(8, 16, 58),
  'c5.4xlarge': x86(16, 32, 234),
  'c6i.large': x86(2, 4, 29),
  'c6i.xlarge': x86(4, 8, 58),
  'c6i.2xlarge': x86(8, 16, 58),
  'c6i.4xlarge': x86(16, 32, 234),
  'c7g.medium': arm(1, 2, 8),
  'c7g.large': arm(2, 4, 29),
  'c7g.xlarge': arm(4, 8, 58),
  'c7g.2xlarge': arm(8, 16, 58),
  'c7g.4xlarge': arm(16, 32, 234),
};

/** The catalog entry of an instance type, or undefined when it is not listed. */
export function instanceType(name: string): InstanceType | undefined {
  return Object.hasOwn(INSTANCE_TYPES, name) ? INSTANCE_TYPES[name] : undefined;
}

/**
 * Why an instance type cannot be used, or undefined when it is in the catalog. The message lists
 * the known sizes of the same family, or the known families, so the fix is obvious.
 */
export function unknownInstanceTypeProblem(name: string): string | undefined {
  if (instanceType(name) !== undefined) return undefined;
  const names = Object.keys(INSTANCE_TYPES);
  const family = name.split('.')[0] ?? '';
  const sizes = names.filter((n) => n.startsWith(`${family}.`)).map((n) => n.slice(family.length + 1));
  const known =
    sizes.length > 0
      ? `known ${family} sizes: ${sizes.join(', ')}`
      : `known families: ${[...new Set(names.map((n) => n.split('.')[0]))].sort().join(', ')}`;
  return `unknown instance type ${JSON.stringify(name)}: add it to platform/instance-types.ts (${known})`;
}

/**
 * Why a node group's instance types cannot share one AMI, or undefined when they can. A managed
 * node group has a single AMI type, so x86_64 and Graviton types cannot be mixed. Unknown types
 * are left to unknownInstanceTypeProblem.
 */
export function mixedArchitectureProblem(names: readonly string[]): string | undefined {
  const byArchitecture = new Map<Architecture, string[]>();
  for (const name of names) {
    const type = instanceType(name);
    if (type === undefined) continue;
    byArchitecture.set(type.architecture, [...(byArchitecture.get(type.architecture) ?? []), name]);
  }
  if (byArchitecture.size <= 1) return undefined;
  const listed = [...byArchitecture].map(([arch, types]) => `${arch}: ${types.join(', ')}`).join('; ');
  return `mixes CPU architectures (${listed}): a node group runs a single AMI type, so use one architecture per group`;
}

/** The one architecture of a node group's instance types; throws when unknown or mixed (the schema rejects both). */
export function architectureOf(names: readonly string[]): Architecture {
  const problem =
    names.map(unknownInstanceTypeProblem).find((p) => p !== undefined) ?? mixedArchitectureProblem(names);
  if (problem !== undefined) throw new Error(`instance types ${names.join(', ')}: ${problem}`);
  const first = instanceType(names[0] ?? '');
  if (first === undefined) throw new Error('a node group needs at least one instance type');
  return first.architecture;
}
