import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ManagedNodeGroups, type ManagedNodeGroupsProps } from '../../infra/constructs/managed-node-groups';
import { instanceType } from '../../platform/instance-types';
import { ConfigError } from '../../platform/load';
import { clusterName, managedNodeGroups } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import { fixtureConfig } from '../helpers';

type Resources = Record<string, Record<string, any>>;

interface SynthOptions {
  readonly color?: string;
  readonly props?: Partial<ManagedNodeGroupsProps>;
  /** Wraps the construct in an extra construct, to prove logical IDs do not depend on nesting. */
  readonly nested?: boolean;
  readonly withDependency?: boolean;
}

/** Synthesizes ManagedNodeGroups alone in a stack, with literal ids for what the ClusterStack passes. */
function synth(config: PlatformConfig, options: SynthOptions = {}): Record<string, Resources> {
  const app = new App({ stackTraces: false });
  const stack = new TerraformStack(app, 'cluster');
  const cluster = config.clusters.find((c) => c.color === (options.color ?? 'blue'));
  if (!cluster) throw new Error(`no cluster ${options.color}`);
  const name = clusterName(config, cluster);
  const dependsOn = options.withDependency
    ? [
        new IamRolePolicyAttachment(stack, 'node-worker-policy', {
          role: `${name}-node`,
          policyArn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        }),
      ]
    : undefined;
  const scope = options.nested ? new Construct(stack, 'compute') : stack;
  new ManagedNodeGroups(scope, options.nested ? 'workers' : 'node-groups', {
    config,
    cluster,
    clusterName: name,
    nodeRoleArn: `arn:aws:iam::${config.account}:role/${name}-node`,
    subnetIds: Object.fromEntries(
      config.network.availabilityZones.map((zone) => [zone, `subnet-private-${zone.slice(-1)}`]),
    ),
    dependsOn,
    ...options.props,
  });
  return JSON.parse(Testing.synth(stack)).resource as Record<string, Resources>;
}

const of = (resources: Record<string, Resources>, type: string): Resources => resources[type] ?? {};
/** A Terraform reference as cdktf writes it: `${<address>}`. */
const ref = (address: string) => `\${${address}}`;
const asgOf = (logicalId: string) =>
  ref(`aws_eks_node_group.${logicalId}.resources[0].autoscaling_groups[0].name`);
/** The one resource of that logical id; fails the test when it is missing. */
function one(resources: Resources, id: string): Record<string, any> {
  const resource = resources[id];
  if (resource === undefined)
    throw new Error(`no resource ${id}; found ${Object.keys(resources).join(', ')}`);
  return resource;
}

describe('managed node groups', () => {
  const prod = fixtureConfig('prod');
  const dev = fixtureConfig('dev');
  const prodBlue = synth(prod);

  it('creates one managed node group per zone for perAz groups, and one over its zones otherwise', () => {
    const groups = of(prodBlue, 'aws_eks_node_group');
    expect(Object.keys(groups).sort()).toEqual([
      'essential-a',
      'essential-b',
      'essential-d',
      'spot-a',
      'spot-b',
      'spot-d',
      'stateful',
    ]);
    expect(groups['essential-b']?.node_group_name).toMatch(/^prod-blue-essential-b-[0-9a-f]{8}$/);
    expect(groups['essential-b']?.subnet_ids).toEqual(['subnet-private-b']);
    expect(groups['spot-d']?.subnet_ids).toEqual(['subnet-private-d']);
    expect(groups['stateful']?.node_group_name).toMatch(/^prod-blue-stateful-[0-9a-f]{8}$/);
    expect(groups['stateful']?.subnet_ids).toEqual(['subnet-private-a']);

    // dev's essential group is not perAz: one node group across both zones.
    const devGroups = of(synth(dev), 'aws_eks_node_group');
    expect(devGroups['essential']?.subnet_ids).toEqual(['subnet-private-a', 'subnet-private-b']);
    expect(Object.keys(devGroups).sort()).toEqual(['essential', 'spot-a', 'spot-b']);
  });

  it('matches the node group names that platform/names.ts gives the manifests', () => {
    const names = Object.values(of(prodBlue, 'aws_eks_node_group')).map((g) => g.node_group_name);
    const [blue] = prod.clusters;
    if (blue === undefined) throw new Error('prod has no cluster');
    expect(names.sort()).toEqual(
      blue.nodeGroups.flatMap((g) => managedNodeGroups(prod, blue, g).map((m) => m.name)).sort(),
    );
  });

  it('sets instance types, capacity type, sizes, update_config, AL2023 AMI and Kubernetes version', () => {
    const spot = one(of(prodBlue, 'aws_eks_node_group'), 'spot-a');
    expect(spot.instance_types).toEqual(['m6i.xlarge', 'm5.xlarge', 'm5a.xlarge']);
    expect(spot.capacity_type).toBe('SPOT');
    expect(spot.scaling_config).toEqual({ min_size: 0, max_size: 10, desired_size: 1 });
    expect(spot.update_config).toEqual({ max_unavailable: 2 });
    expect(spot.ami_type).toBe('AL2023_x86_64_STANDARD');
    expect(spot.version).toBe('1.34');
    expect(spot).not.toHaveProperty('release_version');
    expect(spot).not.toHaveProperty('disk_size');
    expect(spot.cluster_name).toBe('prod-blue');
    expect(spot.node_role_arn).toBe('arn:aws:iam::111111111111:role/prod-blue-node');

    const essential = one(of(prodBlue, 'aws_eks_node_group'), 'essential-a');
    expect(essential.capacity_type).toBe('ON_DEMAND');
    expect(essential.scaling_config).toEqual({ min_size: 1, max_size: 4, desired_size: 2 });
    expect(essential.update_config).toEqual({ max_unavailable: 1 });

    const green = of(synth(prod, { color: 'green' }), 'aws_eks_node_group');
    expect(green['spot-a']?.version).toBe('1.35');
    // desiredSize defaults to minSize.
    expect(green['spot-a']?.scaling_config).toEqual({ min_size: 0, max_size: 10, desired_size: 0 });
  });

  it('pins the AMI release version only when the config sets one', () => {
    const groups = of(prodBlue, 'aws_eks_node_group');
    expect(groups['stateful']?.release_version).toBe('1.34.2-20251112');
    expect(groups['essential-a']).not.toHaveProperty('release_version');
  });

  it('leaves the desired size to cluster-autoscaler after creation', () => {
    for (const group of Object.values(of(prodBlue, 'aws_eks_node_group'))) {
      expect(group.lifecycle).toEqual({
        create_before_destroy: true,
        ignore_changes: ['scaling_config[0].desired_size'],
      });
    }
  });

  it('chooses the ARM AL2023 AMI for Graviton instance types', () => {
    const graviton = fixtureConfig('prod', (raw) => {
      raw.clusters[0].nodeGroups[1].instanceTypes = ['m7g.xlarge', 'm6g.xlarge'];
    });
    const groups = of(synth(graviton), 'aws_eks_node_group');
    expect(groups['spot-a']?.ami_type).toBe('AL2023_ARM_64_STANDARD');
    expect(groups['essential-a']?.ami_type).toBe('AL2023_x86_64_STANDARD');
  });

  it('makes the node groups wait for the resources given in dependsOn', () => {
    const groups = of(synth(prod, { withDependency: true }), 'aws_eks_node_group');
    expect(groups['essential-a']?.depends_on).toEqual(['aws_iam_role_policy_attachment.node-worker-policy']);
  });
});

describe('launch templates', () => {
  const prod = fixtureConfig('prod');
  const resources = synth(prod);
  const templates = of(resources, 'aws_launch_template');

  it('creates one launch template per config node group, used by each of its zones', () => {
    expect(Object.keys(templates).sort()).toEqual(['essential', 'spot', 'stateful']);
    expect(templates['spot']?.name).toBe('prod-blue-spot');
    for (const zone of ['a', 'b', 'd']) {
      expect(of(resources, 'aws_eks_node_group')[`spot-${zone}`]?.launch_template).toEqual({
        id: ref('aws_launch_template.spot.id'),
        version: ref('aws_launch_template.spot.latest_version'),
      });
    }
  });

  it('gives nodes an encrypted gp3 root volume of diskSizeGiB', () => {
    expect(templates['spot']?.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: { volume_size: 80, volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' },
      },
    ]);
    expect(templates['stateful']?.block_device_mappings[0].ebs.volume_size).toBe(100);
    // diskSizeGiB defaults to 50.
    const green = of(synth(prod, { color: 'green' }), 'aws_launch_template');
    expect(green['essential']?.block_device_mappings[0].ebs.volume_size).toBe(50);
  });

  it('encrypts root volumes with the given KMS key', () => {
    const key = 'arn:aws:kms:ca-central-1:111111111111:key/0000';
    const withKey = of(synth(prod, { props: { kmsKeyArn: key } }), 'aws_launch_template');
    expect(withKey['essential']?.block_device_mappings[0].ebs).toMatchObject({
      encrypted: 'true',
      kms_key_id: key,
    });
    expect(templates['essential']?.block_device_mappings[0].ebs).not.toHaveProperty('kms_key_id');
  });

  it('requires IMDSv2 with a hop limit of 1', () => {
    for (const template of Object.values(templates)) {
      expect(template.metadata_options).toEqual({
        http_endpoint: 'enabled',
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
        instance_metadata_tags: 'disabled',
      });
    }
  });

  it('tags the instances and volumes it launches with the environment tags and a Name', () => {
    const expected = {
      owner: 'platform',
      environment: 'prod',
      'cost-center': '4200',
      Name: 'prod-blue-essential',
    };
    expect(templates['essential']?.tag_specifications).toEqual([
      { resource_type: 'instance', tags: expected },
      { resource_type: 'volume', tags: expected },
    ]);
  });
});

describe('labels, taints and scale-from-zero hints', () => {
  const prod = fixtureConfig('prod');
  const resources = synth(prod);
  const groups = of(resources, 'aws_eks_node_group');
  const tags = of(resources, 'aws_autoscaling_group_tag');

  it('labels nodes with lifecycle, node-purpose and the config labels', () => {
    expect(groups['essential-a']?.labels).toEqual({ lifecycle: 'essential', 'node-purpose': 'core' });
    expect(groups['spot-b']?.labels).toEqual({ lifecycle: 'spot', 'node-purpose': 'spot' });
    expect(groups['stateful']?.labels).toEqual({ lifecycle: 'essential', 'node-purpose': 'stateful' });
  });

  it('taints nodes with the EKS spelling of each Kubernetes effect', () => {
    expect(groups['stateful']?.taint).toEqual([
      { key: 'dedicated', value: 'stateful', effect: 'NO_SCHEDULE' },
    ]);
    expect(groups['essential-a']).not.toHaveProperty('taint');

    const tainted = fixtureConfig('prod', (raw) => {
      raw.clusters[0].nodeGroups[1].taints = [
        { key: 'spot', value: 'true', effect: 'PreferNoSchedule' },
        { key: 'drain', effect: 'NoExecute' },
      ];
    });
    expect(of(synth(tainted), 'aws_eks_node_group')['spot-a']?.taint).toEqual([
      { key: 'spot', value: 'true', effect: 'PREFER_NO_SCHEDULE' },
      { key: 'drain', value: '', effect: 'NO_EXECUTE' },
    ]);
  });

  it('tags every node group ASG with a node-template hint per label and per taint', () => {
    // 7 node groups × 2 labels, plus 1 taint on stateful.
    expect(Object.keys(tags)).toHaveLength(15);
    expect(tags['stateful-taint-dedicated']).toEqual({
      autoscaling_group_name: asgOf('stateful'),
      tag: {
        key: 'k8s.io/cluster-autoscaler/node-template/taint/dedicated',
        value: 'stateful:NoSchedule',
        propagate_at_launch: false,
      },
    });
    for (const zone of ['a', 'b', 'd']) {
      expect(tags[`spot-${zone}-label-lifecycle`]).toEqual({
        autoscaling_group_name: asgOf(`spot-${zone}`),
        tag: {
          key: 'k8s.io/cluster-autoscaler/node-template/label/lifecycle',
          value: 'spot',
          propagate_at_launch: false,
        },
      });
    }
    expect(tags['essential-d-label-node-purpose']?.tag).toEqual({
      key: 'k8s.io/cluster-autoscaler/node-template/label/node-purpose',
      value: 'core',
      propagate_at_launch: false,
    });
  });

  it('hints the same labels and taints cluster-autoscaler will find on the nodes', () => {
    for (const [id, group] of Object.entries(groups)) {
      const hinted = Object.values(tags).filter((t) => t.autoscaling_group_name === asgOf(id));
      const labels = Object.fromEntries(
        hinted
          .filter((t) => t.tag.key.includes('/label/'))
          .map((t) => [t.tag.key.split('/label/')[1], t.tag.value]),
      );
      expect(labels).toEqual(group.labels);
      const taints = hinted.filter((t) => t.tag.key.includes('/taint/'));
      expect(taints).toHaveLength((group.taint ?? []).length);
    }
  });

  it('names tag resources after label keys that are not Terraform identifiers', () => {
    const labelled = fixtureConfig('prod', (raw) => {
      raw.clusters[0].nodeGroups[2].labels['example.com/team'] = 'payments';
    });
    const hinted = of(synth(labelled), 'aws_autoscaling_group_tag');
    expect(hinted['stateful-label-example_com_team']?.tag).toEqual({
      key: 'k8s.io/cluster-autoscaler/node-template/label/example.com/team',
      value: 'payments',
      propagate_at_launch: false,
    });
  });
});

describe('off-hours schedules', () => {
  const dev = fixtureConfig('dev');
  const schedules = of(synth(dev), 'aws_autoscaling_schedule');

  it('schedules a stop and a start on the ASG of each zone of an off-hours group', () => {
    expect(Object.keys(schedules).sort()).toEqual([
      'spot-a-start',
      'spot-a-stop',
      'spot-b-start',
      'spot-b-stop',
    ]);
  });

  it('stops to zero nodes and a maximum of zero, in the configured time zone', () => {
    expect(schedules['spot-b-stop']).toEqual({
      autoscaling_group_name: asgOf('spot-b'),
      scheduled_action_name: 'dev-blue-spot-b-stop',
      recurrence: '0 20 * * 1-5',
      time_zone: 'America/Toronto',
      min_size: 0,
      max_size: 0,
      desired_capacity: 0,
    });
  });

  it('starts back at the sizes of the config', () => {
    expect(schedules['spot-a-start']).toEqual({
      autoscaling_group_name: asgOf('spot-a'),
      scheduled_action_name: 'dev-blue-spot-a-start',
      recurrence: '0 7 * * 1-5',
      time_zone: 'America/Toronto',
      min_size: 1,
      max_size: 6,
      desired_capacity: 2,
    });
  });

  it('leaves every size of an off-hours group to its schedules, so a night-time plan sends no scaling config', () => {
    const groups = of(synth(dev), 'aws_eks_node_group');
    // spot is the off-hours group: created at the config's sizes, then owned by the schedules.
    for (const id of ['spot-a', 'spot-b']) {
      expect(groups[id]?.lifecycle).toEqual({
        create_before_destroy: true,
        ignore_changes: ['scaling_config'],
      });
      expect(groups[id]?.scaling_config).toEqual({ min_size: 1, max_size: 6, desired_size: 2 });
    }
    // essential runs around the clock: Terraform keeps min and max, cluster-autoscaler desired.
    expect(groups['essential']?.lifecycle).toEqual({
      create_before_destroy: true,
      ignore_changes: ['scaling_config[0].desired_size'],
    });
    // The start action carries the sizes a config change asks for.
    expect(schedules['spot-a-start']).toMatchObject({ min_size: 1, max_size: 6, desired_capacity: 2 });
  });

  it('schedules nothing for groups without offHours', () => {
    expect(of(synth(fixtureConfig('prod')), 'aws_autoscaling_schedule')).toEqual({});
  });
});

describe('replacements', () => {
  const prod = fixtureConfig('prod');
  const before = of(synth(prod), 'aws_eks_node_group');
  const rendered = (edit: (raw: Record<string, any>) => void) =>
    of(synth(fixtureConfig('prod', edit)), 'aws_eks_node_group');
  const names = (groups: Resources) =>
    Object.fromEntries(Object.entries(groups).map(([id, g]) => [id, g.node_group_name as string]));

  it('creates the new node group before destroying the old one, so capacity never drops', () => {
    expect(Object.keys(before).length).toBeGreaterThan(0);
    for (const group of Object.values(before)) expect(group.lifecycle.create_before_destroy).toBe(true);
  });

  it('renames only the node groups whose instance types change, keeping their logical ids', () => {
    // nodeGroups[1] is spot (per zone a, b, d).
    const changed = rendered((raw) => {
      raw.clusters[0].nodeGroups[1].instanceTypes = ['m7i.xlarge', 'm6i.xlarge'];
    });
    expect(Object.keys(changed).sort()).toEqual(Object.keys(before).sort());
    for (const [id, name] of Object.entries(names(changed))) {
      if (id.startsWith('spot-')) {
        expect(name, id).not.toBe(before[id]?.node_group_name);
        expect(name).toMatch(new RegExp(`^prod-blue-${id}-[0-9a-f]{8}$`));
      } else expect(name, id).toBe(before[id]?.node_group_name);
    }
  });

  it('renames a node group whose capacity type or zones change', () => {
    const capacity = rendered((raw) => {
      raw.clusters[0].nodeGroups[1].capacityType = 'ON_DEMAND';
      raw.clusters[0].nodeGroups[1].lifecycle = 'spot';
    });
    expect(capacity['spot-a']?.node_group_name).not.toBe(before['spot-a']?.node_group_name);
    // stateful spans its zones in one node group: a new zone means new subnets.
    const zones = rendered((raw) => {
      raw.clusters[0].nodeGroups[2].availabilityZones = ['ca-central-1a', 'ca-central-1b'];
    });
    expect(zones['stateful']?.node_group_name).not.toBe(before['stateful']?.node_group_name);
  });

  it('keeps the name of a node group updated in place: sizes, labels, taints, release, disk', () => {
    const updated = rendered((raw) => {
      const spot = raw.clusters[0].nodeGroups[1];
      spot.minSize = 1;
      spot.maxSize = 20;
      spot.desiredSize = 3;
      spot.labels = { ...spot.labels, team: 'batch' };
      spot.diskSizeGiB = 200;
      raw.clusters[0].nodeGroups[2].releaseVersion = '';
    });
    expect(names(updated)).toEqual(names(before));
    expect(updated['spot-a']?.scaling_config).toEqual({ min_size: 1, max_size: 20, desired_size: 3 });
  });
});

describe('logical IDs', () => {
  const prod = fixtureConfig('prod');
  const before = synth(prod);

  it('do not depend on the construct id or where the construct is nested', () => {
    expect(synth(prod, { nested: true })).toEqual(before);
  });

  it('keep every existing resource when a zone and a node group are added', () => {
    const grown = fixtureConfig('prod', (raw) => {
      raw.network.availabilityZones = ['ca-central-1a', 'ca-central-1b', 'ca-central-1c', 'ca-central-1d'];
      raw.clusters[0].nodeGroups[0].availabilityZones = ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'];
      raw.clusters[0].nodeGroups.splice(1, 0, {
        name: 'batch',
        instanceTypes: ['c6i.xlarge'],
        capacityType: 'SPOT',
        minSize: 0,
        maxSize: 5,
      });
    });
    const after = synth(grown);
    for (const [type, resources] of Object.entries(before)) {
      for (const [id, resource] of Object.entries(resources)) {
        expect(after[type]?.[id], `${type}.${id}`).toEqual(resource);
      }
    }
    expect(Object.keys(of(after, 'aws_eks_node_group'))).toEqual(
      expect.arrayContaining(['spot-c', 'batch-a', 'batch-b', 'batch-c', 'batch-d']),
    );
  });

  it('fails at load when two node groups would make the same managed node group', () => {
    const clash = () =>
      fixtureConfig('prod', (raw) => {
        raw.clusters[0].nodeGroups.push({
          name: 'spot-a',
          instanceTypes: ['m6i.large'],
          minSize: 1,
          maxSize: 2,
          perAz: false,
        });
      });
    expect(clash).toThrow(
      'clusters[0].nodeGroups[3].name: must not make the EKS managed node group prod-blue-spot-a that node group spot makes too',
    );
  });

  it('fails when a zone has no private subnet', () => {
    expect(() => synth(prod, { props: { subnetIds: { 'ca-central-1a': 'subnet-a' } } })).toThrow(
      /^node group prod-blue-essential-b-[0-9a-f]{8}: no private subnet for zone ca-central-1b \(subnets given for: ca-central-1a\)$/,
    );
  });
});

describe('instance catalog', () => {
  const problems = (edit: (raw: Record<string, any>) => void): string => {
    try {
      fixtureConfig('prod', edit);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('knows every instance type of the shipped examples, with VPC CNI pod limits', () => {
    for (const env of ['prod', 'dev'] as const) {
      for (const cluster of fixtureConfig(env).clusters) {
        for (const type of cluster.nodeGroups.flatMap((g) => g.instanceTypes)) {
          expect(instanceType(type), type).toBeDefined();
        }
      }
    }
    // instance-info.jsonl: ENIs × (IPv4 per ENI − 1) + 2.
    expect(instanceType('m6i.large')).toEqual({
      vcpu: 2,
      memoryMiB: 8192,
      maxPods: 29,
      architecture: 'x86_64',
      accelerator: 'none',
      acceleratorCount: 0,
    });
    expect(instanceType('t3.large')).toMatchObject({ vcpu: 2, memoryMiB: 8192, maxPods: 35 });
    expect(instanceType('r6i.large')?.memoryMiB).toBe(16384);
    expect(instanceType('m7g.large')?.architecture).toBe('arm64');
    expect(instanceType('toString')).toBeUndefined();
  });

  it('rejects an unknown instance type, naming it and the known sizes of its family', () => {
    const message = problems((raw) => {
      raw.clusters[0].nodeGroups[0].instanceTypes = ['m6i.large', 'm6i.64xlarge'];
    });
    expect(message).toContain(
      'prod.yaml: clusters[0].nodeGroups[0].instanceTypes[1]: unknown instance type "m6i.64xlarge" (known m6i sizes: large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge, 24xlarge, 32xlarge, metal); a type newer than the catalog needs `npm run refresh:instance-types`',
    );
  });

  it('rejects an unknown family, listing the nearest known families', () => {
    const message = problems((raw) => {
      raw.clusters[1].nodeGroups[1].instanceTypes = ['m9z.large'];
    });
    expect(message).toContain(
      'clusters[1].nodeGroups[1].instanceTypes[0]: unknown instance type "m9z.large" (nearest families: m9g, m9gd,',
    );
  });

  it('rejects a malformed instance type once, with the format error only', () => {
    const message = problems((raw) => {
      raw.clusters[0].nodeGroups[0].instanceTypes = ['M6I.LARGE'];
    });
    expect(message).toContain('instanceTypes[0]: must be an EC2 instance type such as m6i.large');
    expect(message).not.toContain('unknown instance type');
  });

  it('rejects a node group mixing x86_64 and Graviton instance types', () => {
    const message = problems((raw) => {
      raw.clusters[0].nodeGroups[1].instanceTypes = ['m6i.xlarge', 'm7g.xlarge'];
    });
    expect(message).toContain(
      'clusters[0].nodeGroups[1].instanceTypes: mixes CPU architectures (x86_64: m6i.xlarge; arm64: m7g.xlarge)',
    );
  });

  it('rejects two taints with the same key, which one scale-from-zero hint cannot describe', () => {
    const message = problems((raw) => {
      raw.clusters[0].nodeGroups[2].taints.push({ key: 'dedicated', value: 'stateful', effect: 'NoExecute' });
    });
    expect(message).toContain(
      'clusters[0].nodeGroups[2].taints[1]: repeats the taint key dedicated (also taints[0])',
    );
  });
});
