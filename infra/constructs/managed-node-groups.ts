import { AutoscalingGroupTagA } from '@cdktf/provider-aws/lib/autoscaling-group-tag';
import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { type ITerraformDependable, type TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ACCELERATOR_RESOURCES, nodeGroupHardware } from '../../platform/instance-types';
import {
  clusterName as clusterNameOf,
  EKS_TAINT_EFFECTS,
  managedNodeGroups,
  NODE_TEMPLATE_LABEL_TAG_PREFIX as NODE_TEMPLATE_LABEL,
  NODE_TEMPLATE_RESOURCES_TAG_PREFIX as NODE_TEMPLATE_RESOURCES,
  NODE_TEMPLATE_TAINT_TAG_PREFIX as NODE_TEMPLATE_TAINT,
  nodeLabels,
  terraformName,
} from '../../platform/names';
import type { ClusterConfig, NodeGroupConfig, PlatformConfig } from '../../platform/schema';

export interface ManagedNodeGroupsProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /**
   * The EKS cluster's name. Pass the `name` attribute of the aws_eks_cluster resource (a token)
   * so that Terraform creates the node groups after the cluster.
   */
  readonly clusterName: string;
  /** ARN of the node IAM role (a token of the aws_iam_role resource). */
  readonly nodeRoleArn: string;
  /** Private subnet id of each availability zone, keyed by zone name (`ca-central-1a`). */
  readonly subnetIds: Readonly<Record<string, string>>;
  /**
   * KMS key that encrypts the nodes' root volumes. Its key policy must let the Auto Scaling
   * service-linked role use it:
   * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
   * @default - the AWS managed key aws/ebs
   */
  readonly kmsKeyArn?: string;
  /**
   * Resources the node groups must wait for, typically the node role's policy attachments: EKS
   * needs them to create nodes, and to delete instances and network interfaces on destroy
   * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_node_group).
   * @default - only the dependencies implied by clusterName and nodeRoleArn
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The EKS managed node groups of one cluster (seed 000): for every node group of the config,
 * one launch template and one managed node group per availability zone (or one spanning its
 * zones when perAz is false), the Auto Scaling group tags cluster-autoscaler needs to scale a
 * group up from zero, and the off-hours schedules.
 *
 * Logical IDs come from the config alone (group name and zone letter), so adding a group or a
 * zone never renames an existing resource.
 */
export class ManagedNodeGroups extends Construct {
  /** The managed node groups by EKS name (`<cluster>-<group>-<zone letter>-<replacement digest>`). */
  readonly nodeGroups: Readonly<Record<string, EksNodeGroup>>;
  /** The launch templates by config node group name. */
  readonly launchTemplates: Readonly<Record<string, LaunchTemplate>>;
  private readonly logicalIds = new Set<string>();

  constructor(scope: Construct, id: string, props: ManagedNodeGroupsProps) {
    super(scope, id);
    const nodeGroups: Record<string, EksNodeGroup> = {};
    const launchTemplates: Record<string, LaunchTemplate> = {};
    const prefix = `${clusterNameOf(props.config, props.cluster)}-`;
    const keys = new Set<string>();

    for (const group of props.cluster.nodeGroups) {
      const template = this.launchTemplate(props, group, `${prefix}${group.name}`);
      launchTemplates[group.name] = template;

      for (const managed of managedNodeGroups(props.config, props.cluster, group)) {
        // `essential-a` for a per-zone group, `stateful` for one spanning its zones.
        const { key } = managed;
        if (keys.has(key)) {
          throw new Error(
            `cluster ${props.cluster.color}: two node groups both make the managed node group ${prefix}${key}; rename node group "${group.name}"`,
          );
        }
        keys.add(key);
        const nodeGroup = this.nodeGroup(props, group, managed, template, key);
        nodeGroups[managed.name] = nodeGroup;

        // EKS runs each managed node group in an Auto Scaling group of its own.
        const asgName = nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
        this.scaleFromZeroTags(group, asgName, key);
        // Scheduled action names are unique per ASG; they keep the stable part of the name.
        if (group.offHours) this.offHoursSchedules(group, group.offHours, asgName, `${prefix}${key}`, key);
      }
    }
    this.nodeGroups = nodeGroups;
    this.launchTemplates = launchTemplates;
  }

  private launchTemplate(props: ManagedNodeGroupsProps, group: NodeGroupConfig, name: string) {
    // The provider's default_tags reach the launch template but not what it launches.
    const tags = { ...props.config.tags, Name: name };
    // Launch template settings that EKS managed node groups accept:
    // https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html
    const template = new LaunchTemplate(this, `launch-template-${group.name}`, {
      name,
      description: `Nodes of ${name}: encrypted gp3 root volume, IMDSv2 only`,
      updateDefaultVersion: true,
      blockDeviceMappings: [
        {
          // Root device of the EKS-optimized AL2023 AMIs.
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: group.diskSizeGiB,
            volumeType: 'gp3',
            encrypted: 'true',
            kmsKeyId: props.kmsKeyArn,
            deleteOnTermination: 'true',
          },
        },
      ],
      // IMDSv2 only, and a hop limit of 1 so that the token response cannot cross the extra
      // network hop into a pod: pods cannot borrow the node role's credentials and must use IRSA
      // (seed 002; https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html).
      // Host-network pods (VPC CNI, kube-proxy) still reach IMDS.
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      tagSpecifications: [
        { resourceType: 'instance', tags },
        { resourceType: 'volume', tags },
      ],
    });
    this.setLogicalId(template, group.name);
    return template;
  }

  private nodeGroup(
    props: ManagedNodeGroupsProps,
    group: NodeGroupConfig,
    managed: { readonly name: string; readonly key: string; readonly zones: readonly string[] },
    template: LaunchTemplate,
    key: string,
  ) {
    const subnetIds = managed.zones.map((zone) => {
      const subnet = props.subnetIds[zone];
      if (subnet === undefined) {
        throw new Error(
          `node group ${managed.name}: no private subnet for zone ${zone} (subnets given for: ${Object.keys(props.subnetIds).join(', ')})`,
        );
      }
      return subnet;
    });
    const nodeGroup = new EksNodeGroup(this, `node-group-${key}`, {
      clusterName: props.clusterName,
      nodeGroupName: managed.name,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds,
      instanceTypes: [...group.instanceTypes],
      capacityType: group.capacityType,
      // The AMI carries the driver the hardware needs: NVIDIA for GPUs, Neuron for Inferentia and
      // Trainium (https://docs.aws.amazon.com/eks/latest/userguide/eks-optimized-ami.html).
      amiType: nodeGroupHardware(group.instanceTypes).amiType,
      // Node upgrades (seed 000): a new kubernetesVersion or releaseVersion rolls the nodes,
      // maxUnavailable at a time, draining each one first.
      version: props.cluster.kubernetesVersion,
      releaseVersion: group.releaseVersion === '' ? undefined : group.releaseVersion,
      launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
      scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
      updateConfig: { maxUnavailable: group.maxUnavailable },
      labels: nodeLabels(group),
      taint:
        group.taints.length === 0
          ? undefined
          : group.taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECTS[t.effect] })),
      dependsOn: props.dependsOn,
      lifecycle: {
        // A change of instance types, AMI type, capacity type or subnets replaces the node group
        // (ForceNew in the provider). Created first, the new group takes the pods its old one
        // drains when it is deleted, so capacity never drops; the name changes with those
        // attributes (managedNodeGroups in platform/names.ts) because EKS names are unique per
        // cluster. terraform-aws-eks v21 does the same (modules/eks-managed-node-group/main.tf:
        // node_group_name_prefix and lifecycle { create_before_destroy = true }).
        createBeforeDestroy: true,
        ignoreChanges: group.offHours
          ? // Off-hours: the group's schedules own all three sizes after creation (see
            // offHoursSchedules), so Terraform never sends a scaling config that EKS refuses.
            ['scaling_config']
          : // cluster-autoscaler owns the desired size once the group exists: a deploy must not
            // reset it to the config's starting value.
            ['scaling_config[0].desired_size'],
      },
    });
    this.setLogicalId(nodeGroup, key);
    return nodeGroup;
  }

  /**
   * cluster-autoscaler builds a node from the ASG when a group has no node to copy, i.e. when it
   * scales up from zero. EKS tags a managed node group's ASG for auto-discovery
   * (`k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>`: "Nodes
   * launched as part of a managed node group are automatically tagged for auto-discovery",
   * https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html), but not with the
   * node-template hints that tell cluster-autoscaler the labels, taints and accelerators such a
   * node will have.
   * Without them it cannot tell that a pending pod with a nodeSelector or toleration would fit.
   * (cluster-autoscaler can also ask the EKS DescribeNodegroup API; the tags work without that
   * permission and keep the hints reviewable in dist/.)
   */
  private scaleFromZeroTags(group: NodeGroupConfig, asgName: string, key: string) {
    const hints = [
      ...Object.entries(nodeLabels(group)).map(([label, value]) => ({
        id: `${key}-label-${label}`,
        tag: `${NODE_TEMPLATE_LABEL}${label}`,
        value,
      })),
      ...group.taints.map((t) => ({
        id: `${key}-taint-${t.key}`,
        tag: `${NODE_TEMPLATE_TAINT}${t.key}`,
        // Kubernetes effect names here, as cluster-autoscaler parses `<value>:<effect>`.
        value: `${t.value}:${t.effect}`,
      })),
      ...this.acceleratorHints(group, key),
    ];
    for (const hint of hints) {
      const tag = new AutoscalingGroupTagA(this, `asg-tag-${hint.id}`, {
        autoscalingGroupName: asgName,
        // A hint for cluster-autoscaler about the ASG; instances get labels and taints from EKS.
        tag: { key: hint.tag, value: hint.value, propagateAtLaunch: false },
      });
      this.setLogicalId(tag, hint.id);
    }
  }

  /**
   * The accelerator devices a node of the group offers, as the extended resource its device plugin
   * advertises (`nvidia.com/gpu: 8` on a p5.48xlarge). A node scaled from zero has no device plugin
   * yet to tell cluster-autoscaler, which otherwise knows GPU counts only for the types of its own
   * static list and never knows Neuron devices: without the tag, a pending pod that requests a GPU
   * would never scale such a group up from zero. Fractional GPUs (count 0) get no tag.
   */
  private acceleratorHints(group: NodeGroupConfig, key: string) {
    const hardware = nodeGroupHardware(group.instanceTypes);
    if (hardware.accelerator === 'none' || hardware.acceleratorCount === 0) return [];
    const resource = ACCELERATOR_RESOURCES[hardware.accelerator];
    return [
      {
        id: `${key}-resource-${resource}`,
        tag: `${NODE_TEMPLATE_RESOURCES}${resource}`,
        value: String(hardware.acceleratorCount),
      },
    ];
  }

  /**
   * Off-hours (seed 000's offhours-scaler, done by the Auto Scaling group rather than by a pod).
   * The stop action sets the maximum to 0 as well: the group's pods go pending when their nodes
   * stop, and with the maximum unchanged cluster-autoscaler would start the nodes again for them
   * (cluster-autoscaler never scales an ASG outside its min and max). The start action restores
   * the config's sizes. Sizes left out of a scheduled action would default to 0 in the provider,
   * so all three are set.
   *
   * These actions are the only writer of an off-hours group's sizes after its creation, so the
   * node group ignores changes to its whole scaling_config. Why: EKS reads the sizes back from the
   * ASG, so at night the node group reports min 0, max 0, desired 0. Had Terraform kept owning
   * min and max, a night-time plan would send UpdateNodegroupConfig with the config's min (>= 1)
   * and the desired size of the state (0, as desired_size is ignored), which EKS refuses because
   * desiredSize must lie between minSize and maxSize
   * (https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html); and
   * sending max > 0 at night would let cluster-autoscaler start the stopped nodes again. The aws
   * provider sends a scaling config only when scaling_config has a planned change
   * (hashicorp/terraform-provider-aws internal/service/eks/node_group.go, resourceNodeGroupUpdate;
   * ignore_changes: https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle),
   * so with it ignored, version, label, taint or launch template updates stay valid at any hour.
   * The price: a new minSize, maxSize or desiredSize of such a group reaches the ASG at the next
   * start action (Terraform updates the action at once), not at apply time.
   */
  private offHoursSchedules(
    group: NodeGroupConfig,
    offHours: NonNullable<NodeGroupConfig['offHours']>,
    asgName: string,
    name: string,
    key: string,
  ) {
    const actions = [
      { action: 'stop', recurrence: offHours.stop, minSize: 0, maxSize: 0, desiredCapacity: 0 },
      {
        action: 'start',
        recurrence: offHours.start,
        minSize: group.minSize,
        maxSize: group.maxSize,
        desiredCapacity: group.desiredSize,
      },
    ];
    for (const { action, ...sizes } of actions) {
      const schedule = new AutoscalingSchedule(this, `schedule-${key}-${action}`, {
        autoscalingGroupName: asgName,
        scheduledActionName: `${name}-${action}`,
        // Cron fields in timeZone, so the schedule follows daylight saving time.
        // https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html
        timeZone: offHours.timeZone,
        ...sizes,
      });
      this.setLogicalId(schedule, `${key}-${action}`);
    }
  }

  /**
   * Pins a resource's logical ID (its Terraform state address) to a name derived from config,
   * independent of where this construct sits in the stack. Distinct config names that map to
   * the same Terraform name (`a.b` and `a_b`) would silently merge two resources: refuse them.
   */
  private setLogicalId(resource: TerraformResource, name: string) {
    const id = terraformName(name);
    const address = `${resource.terraformResourceType}.${id}`;
    if (this.logicalIds.has(address)) {
      throw new Error(`${address} would be defined twice (from "${name}"): rename the label or taint key`);
    }
    this.logicalIds.add(address);
    resource.overrideLogicalId(id);
  }
}
