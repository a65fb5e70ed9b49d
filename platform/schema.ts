/**
 * The platform configuration (DESIGN §4): one YAML file per environment, validated here.
 * The zod schema is the single source of the TypeScript types, the defaults, the cross-field
 * rules, the JSON Schema in config/schema.json and the reference in docs/configuration.md: every
 * field carries the description a user reads in the editor and in the reference.
 *
 * Rules that read one node group, cluster or app sit on that object, and each rule runs as soon
 * as the fields it reads are valid: one run reports every problem of a file, so a bad `region`
 * does not hide a node group whose `minSize` is above its `maxSize`.
 */
import { z } from 'zod';
import { ADDONS, type AddonDefinition, type AddonToggleKey } from './addons';
import { APP_ACCESS_ROLE_NAMES, APP_ACCESS_ROLES, DEFAULT_APP_ACCESS } from './app-access';
import {
  externalSecretsPrefix,
  remoteKeyProblem,
  secretKeyProblem,
  secretNameProblem,
  secretPrefixProblem,
} from './external-secrets';
import {
  cronProblem,
  dnsLabelProblem,
  dnsNameProblem,
  httpsOrSshUrlProblem,
  nodeLabelKeyProblem,
  nodeTaintKeyProblem,
  pinnedImageProblem,
  timeZoneProblem,
} from './formats';
import {
  exactChartVersionProblem,
  helmRepositoryProblem,
  IAM_ROLE_ARN_PLACEHOLDER,
  isSystemNamespace,
  valuesUsePlaceholder,
} from './helm-charts';
import {
  INSTANCE_TYPE_NAMES,
  instanceTypesProblem,
  nodeGroupHardware,
  unknownInstanceTypeProblem,
} from './instance-types';
import {
  AWS_TAG,
  accessUsernameProblem,
  awsTagKeyProblem,
  awsTagValueProblem,
  dnsNameLengthProblem,
  EKS_AUTO_SCALING_GROUP_TAGS,
  externalDnsRecordProblem,
  labelValueProblem,
  MAX_NETWORK_POLICY_RULE_PORTS,
  MAX_TAINTS_PER_NODE_GROUP,
  nodeLabelValueProblem,
  qualifiedNameProblem,
  releaseVersionProblem,
  serviceNameProblem,
  taintValueProblem,
} from './limits';
import {
  ARGOCD,
  accessEntryKey,
  appClusters,
  appNamespace,
  chartApplication,
  chartClusters,
  chartIrsaRoleName,
  clusterDnsZones,
  clusterName,
  LIFECYCLE_LABEL,
  managedNodeGroupKeys,
  NODE_PURPOSE_LABEL,
  stackNames,
  terraformName,
} from './names';
import { MAX_VPC_PREFIX, MIN_VPC_PREFIX, parseCidr, ZONE_SLOTS } from './network';
import { CPU_FORMAT, MEMORY_FORMAT, parseCpu, parseMemory } from './quantity';
import { END_OF_STANDARD_SUPPORT, SUPPORT_TYPES, SUPPORTED_KUBERNETES_VERSIONS } from './versions';

/** A string checked by one of the `…Problem` functions of formats.ts and limits.ts. */
function checked(problem: (value: string) => string | undefined, description: string) {
  return z
    .string()
    .check((ctx) => {
      const message = problem(ctx.value);
      if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
    })
    .meta({ description });
}

type Key = string | number;
/** The path of a field a rule reads, relative to the object the rule sits on; `*` is any index or key. */
type FieldPath = readonly Key[];

interface RuleContext {
  /** True when parsing found no problem in any of these fields (nor in an object holding them). */
  valid(...fields: FieldPath[]): boolean;
  issue(path: readonly Key[], message: string): void;
}

function related(a: readonly PropertyKey[], b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (b[i] !== '*' && a[i] !== b[i]) return false;
  return true;
}

/**
 * Cross-field rules of an object. They run even when other fields of the object (or of the file)
 * failed, each one guarded by `valid()` on the fields it reads, so its input is typed as parsed.
 */
function rules<T>(check: (value: T, ctx: RuleContext) => void) {
  return z.superRefine<T>(
    (value, payload) => {
      const failed = payload.issues.map((issue) => issue.path ?? []);
      check(value, {
        valid: (...fields) => !fields.some((field) => failed.some((path) => related(path, field))),
        issue: (path, message) => payload.addIssue({ code: 'custom', path: [...path], message }),
      });
    },
    { when: () => true },
  );
}

/** An add-on that is on unless the config turns it off, and has no other setting. */
const addonToggle = (name: string, summary: string) =>
  z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .meta({ description: `Whether ${name} runs.` }),
    })
    .prefault({})
    .meta({ description: `${name}: ${summary}` });

/**
 * The `addons` blocks that are only a switch, one per add-on of the catalog (platform/addons.ts)
 * with a `toggle` summary, in catalog order. Add-ons with settings of their own are typed below.
 */
function addonToggles(): Record<AddonToggleKey, ReturnType<typeof addonToggle>> {
  const blocks: Record<string, ReturnType<typeof addonToggle>> = {};
  for (const addon of Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>)) {
    if (addon.switch.kind === 'enabled' && addon.switch.toggle !== undefined) {
      blocks[addon.switch.key] = addonToggle(addon.component, addon.switch.toggle);
    }
  }
  return blocks as Record<AddonToggleKey, ReturnType<typeof addonToggle>>;
}

const dnsLabel = (max: number, description: string) =>
  checked(
    (v) => dnsLabelProblem(v, max),
    `${description} A DNS label: lowercase letters, digits and '-', at most ${max} characters.`,
  );
const dnsName = (description: string) =>
  checked(dnsNameProblem, `${description} A DNS name such as devinfra.local.`);
const accountId = (description: string) =>
  z
    .string({ error: 'must be a quoted string of 12 digits, such as "111111111111"' })
    .regex(/^\d{12}$/, 'must be an AWS account id of exactly 12 digits, quoted')
    .meta({ description: `${description} 12 digits, quoted.`, examples: ['111111111111'] });
const region = (description: string) =>
  z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'must be an AWS region such as ca-central-1')
    .meta({ description, examples: ['ca-central-1'] });
const cidr = (description: string) =>
  z
    .string()
    .check((ctx) => {
      const parsed = parseCidr(ctx.value);
      if (typeof parsed === 'string') ctx.issues.push({ code: 'custom', message: parsed, input: ctx.value });
    })
    .meta({ description: `${description} An IPv4 CIDR such as 10.20.0.0/16.` });
const cpu = (description: string) =>
  z
    .string()
    .refine((v) => parseCpu(v) !== undefined, `must be ${CPU_FORMAT}`)
    .meta({ description: `${description} A Kubernetes CPU quantity: 250m, 1 or 1.5 cores.` });
const memory = (description: string) =>
  z
    .string()
    .refine((v) => parseMemory(v) !== undefined, `must be ${MEMORY_FORMAT}`)
    .meta({ description: `${description} A Kubernetes memory quantity: 256Mi, 2Gi or 512M bytes.` });

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

const labels = z
  .record(
    checked(nodeLabelKeyProblem, 'Label key (Kubernetes qualified name, at most 63 characters for EKS).'),
    checked(
      nodeLabelValueProblem,
      'Label value: 1 to 63 letters, digits, -, _ or . (EKS refuses empty values).',
    ),
  )
  .default({})
  .meta({
    description: `Extra Kubernetes labels of the group's nodes. Every node also gets ${LIFECYCLE_LABEL}: <lifecycle> and ${NODE_PURPOSE_LABEL}: <name> (a label here overrides them). Keys must not use the kubernetes.io/, k8s.io/ or eks.amazonaws.com/ domains, which EKS reserves. cluster-autoscaler learns them from Auto Scaling group tags, so it can scale the group up from zero for a pod that selects them.`,
  });

const taint = z.strictObject({
  key: checked(nodeTaintKeyProblem, 'Taint key (Kubernetes qualified name, at most 63 characters for EKS).'),
  value: checked(taintValueProblem, 'Taint value: empty or at most 63 letters, digits, -, _ or .').default(
    '',
  ),
  effect: z.enum(TAINT_EFFECTS).meta({
    description:
      'What the taint does to pods without a matching toleration: NoSchedule keeps new pods off, PreferNoSchedule avoids the nodes when it can, NoExecute also evicts running pods.',
  }),
});

const offHours = z
  .strictObject({
    stop: checked(
      cronProblem,
      'When the group scales to zero: a 5-field cron (minute hour day-of-month month day-of-week) in timeZone.',
    ).meta({
      examples: ['0 20 * * 1-5'],
    }),
    start: checked(
      cronProblem,
      'When the group scales back to minSize, maxSize and desiredSize: a 5-field cron in timeZone.',
    ).meta({ examples: ['0 7 * * 1-5'] }),
    timeZone: checked(
      timeZoneProblem,
      'IANA time zone of the two schedules, such as America/Toronto or UTC; the schedules follow daylight saving time.',
    ),
  })
  .meta({
    description:
      'Scales the group to zero outside working hours (Auto Scaling scheduled actions). Not allowed on essential groups. Without it the group runs around the clock.',
  });

const nodeGroup = z
  .strictObject({
    name: dnsLabel(
      20,
      'Name of the node group, unique in its cluster. EKS names its managed node groups <cluster>-<name>-<zone>-<digest> (or <cluster>-<name>-<digest> when perAz is false); the digest changes when a new instance type, capacity type or zone list replaces the group.',
    ),
    instanceTypes: z
      .array(
        z
          .string()
          // One check, not a regex with `abort`: an aborted field would keep the rules of the
          // enclosing objects from running, hiding the file's other problems.
          .check((ctx) => {
            const message = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(ctx.value)
              ? unknownInstanceTypeProblem(ctx.value)
              : 'must be an EC2 instance type such as m6i.large';
            if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
          })
          // The catalog as an enum: editors complete and check instance types from config/schema.json.
          .meta({ enum: [...INSTANCE_TYPE_NAMES] }),
      )
      .min(1, 'must list at least one instance type')
      .check((ctx) => {
        const message = instanceTypesProblem(ctx.value);
        if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
      })
      .meta({
        description:
          'EC2 instance types of the group, from the catalog in platform/instance-types.ts, tried in order (one type for on-demand, several of the same size for spot). They must share architecture, accelerator, vCPU and memory; the AMI type (STANDARD, NVIDIA or NEURON) follows from them.',
      }),
    capacityType: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND').meta({
      description:
        'ON_DEMAND instances, or SPOT instances that AWS may reclaim with two minutes notice (cheaper; only for workloads that tolerate it).',
    }),
    lifecycle: z
      .enum(['essential', 'spot'])
      .optional()
      .meta({
        description: `Value of the ${LIFECYCLE_LABEL} node label that apps select with placement: essential nodes run around the clock, spot nodes may go away. When omitted: spot for SPOT capacity, essential otherwise. essential is not allowed with SPOT capacity.`,
      }),
    minSize: z.int().min(0).meta({
      description:
        'Fewest nodes cluster-autoscaler keeps, per availability zone when perAz is true (the group is one managed node group per zone), else for the whole group.',
    }),
    maxSize: z.int().min(1).max(450).meta({
      description:
        'Most nodes cluster-autoscaler may start, per availability zone when perAz is true, else for the whole group. At most 450 (EKS quota of nodes per managed node group) and at least minSize.',
    }),
    desiredSize: z.int().min(0).optional().meta({
      description:
        'Nodes at creation, per availability zone when perAz is true; cluster-autoscaler owns the number afterwards (later changes are ignored). When omitted: minSize. Between minSize and maxSize.',
    }),
    maxUnavailable: z.int().min(1).max(100).default(1).meta({
      description:
        'Nodes replaced at a time during a node upgrade (new kubernetesVersion or releaseVersion), per managed node group.',
    }),
    diskSizeGiB: z.int().min(20).max(16384).default(50).meta({
      description: 'Size of each node root volume (encrypted gp3), in GiB.',
    }),
    perAz: z.boolean().default(true).meta({
      description:
        'true: one managed node group per availability zone, so cluster-autoscaler can balance zones and the sizes count per zone. false: one managed node group spanning the zones (for a single-zone stateful group, with availabilityZones).',
    }),
    availabilityZones: z
      .array(z.string().meta({ description: 'A zone of network.availabilityZones.' }))
      .default([])
      .meta({
        description:
          'The zones the group runs in, a subset of network.availabilityZones. Empty (the default): every zone of the network.',
      }),
    labels,
    taints: z
      .array(taint)
      .default([])
      .meta({
        description: `Kubernetes taints of the group's nodes: only pods that tolerate them run there. At most ${MAX_TAINTS_PER_NODE_GROUP} (EKS), one effect per key (cluster-autoscaler).`,
      }),
    releaseVersion: z
      .string()
      .regex(
        /^(\d+\.\d+\.\d+-\d{8})?$/,
        'must be empty or an EKS AMI release version such as 1.34.2-20251112',
      )
      .default('')
      .meta({
        description:
          "Pins the EKS AMI release of the nodes, such as 1.34.2-20251112; it must be a release of the cluster's kubernetesVersion. Empty (the default): the latest release when the group is created, then kept.",
      }),
    offHours: offHours.optional(),
  })
  .check(
    rules((g, { valid, issue }) => {
      if (valid(['minSize'], ['maxSize']) && g.minSize > g.maxSize) {
        issue(['maxSize'], `must be >= minSize (${g.minSize})`);
      }
      if (
        valid(['minSize'], ['maxSize'], ['desiredSize']) &&
        g.desiredSize !== undefined &&
        (g.desiredSize < g.minSize || g.desiredSize > g.maxSize)
      ) {
        issue(['desiredSize'], `must be between minSize (${g.minSize}) and maxSize (${g.maxSize})`);
      }
      if (!valid(['lifecycle'], ['capacityType'])) return;
      const lifecycle = g.lifecycle ?? (g.capacityType === 'SPOT' ? 'spot' : 'essential');
      if (g.lifecycle === 'essential' && g.capacityType === 'SPOT') {
        issue(
          ['lifecycle'],
          'must be spot when capacityType is SPOT: spot capacity can be reclaimed at any time',
        );
      }
      if (valid(['offHours']) && g.offHours && lifecycle === 'essential') {
        issue(
          ['offHours'],
          'is not allowed on an essential node group: essential nodes run around the clock',
        );
      }
      if (!valid(['taints'], ['labels'])) return;
      g.taints.forEach((t, ti) => {
        if (g.taints.findIndex((o) => o.key === t.key && o.effect === t.effect) !== ti) {
          issue(['taints', ti], `repeats the taint ${t.key}:${t.effect}`);
          return;
        }
        // cluster-autoscaler learns a group's taints from one ASG tag per key, holding one
        // value:effect (https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup).
        const sameKey = g.taints.findIndex((o) => o.key === t.key);
        if (sameKey !== ti) {
          issue(
            ['taints', ti],
            `repeats the taint key ${t.key} (also taints[${sameKey}]): cluster-autoscaler can hint one effect per key when scaling from zero`,
          );
        }
      });
      if (g.taints.length > MAX_TAINTS_PER_NODE_GROUP) {
        issue(
          ['taints'],
          `must hold at most ${MAX_TAINTS_PER_NODE_GROUP} taints (EKS managed node group limit), got ${g.taints.length}`,
        );
      }
      // Each label and taint key names Terraform resources (its node-template tags): two keys
      // that differ only by characters Terraform names cannot hold would share one.
      for (const [kind, keys] of [
        ['labels', Object.keys(g.labels)],
        ['taints', g.taints.map((t) => t.key)],
      ] as const) {
        const seen = new Map<string, string>([[terraformName(LIFECYCLE_LABEL), LIFECYCLE_LABEL]]);
        seen.set(terraformName(NODE_PURPOSE_LABEL), NODE_PURPOSE_LABEL);
        if (kind === 'taints') seen.clear();
        keys.forEach((key, i) => {
          const other = seen.get(terraformName(key));
          if (other !== undefined && other !== key) {
            issue(
              kind === 'labels' ? ['labels', key] : ['taints', i, 'key'],
              `must differ from ${other} by more than characters Terraform resource names replace with _ (both make ${terraformName(key)}), got ${key}`,
            );
          }
          seen.set(terraformName(key), key);
        });
      }
      // One node-template tag per node label and per taint on the group's Auto Scaling group, next
      // to the tags EKS puts there itself.
      // GPU and Neuron groups carry one more: the node-template resources tag of their devices.
      const labelCount = new Set([LIFECYCLE_LABEL, NODE_PURPOSE_LABEL, ...Object.keys(g.labels)]).size;
      const deviceTags =
        valid(['instanceTypes']) && nodeGroupHardware(g.instanceTypes).acceleratorCount > 0 ? 1 : 0;
      const tags = EKS_AUTO_SCALING_GROUP_TAGS + labelCount + g.taints.length + deviceTags;
      if (tags > AWS_TAG.maxPerResource) {
        issue(
          ['labels'],
          `must leave room on the group's Auto Scaling group, which holds at most ${AWS_TAG.maxPerResource} tags (AWS tag limit): its ${labelCount} node labels and ${g.taints.length} taints become cluster-autoscaler node-template tags next to ${EKS_AUTO_SCALING_GROUP_TAGS} tags from EKS, got ${tags} tags`,
        );
      }
    }),
  )
  .transform((group) => ({
    ...group,
    lifecycle:
      group.lifecycle ?? (group.capacityType === 'SPOT' ? ('spot' as const) : ('essential' as const)),
    desiredSize: group.desiredSize ?? group.minSize,
  }));

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const STANDARD_SUPPORT_ENDS = Object.entries(END_OF_STANDARD_SUPPORT)
  .map(([version, end]) => `${version} on ${end}`)
  .join(', ');

const cluster = z
  .strictObject({
    color: dnsLabel(
      12,
      'Color of the cluster (blue, green…), unique in the environment. The EKS cluster is named <environment>-<color>; its DNS names live under eks-<color>.<zone>.',
    ),
    kubernetesVersion: z
      .enum(SUPPORTED_KUBERNETES_VERSIONS, {
        error: (issue) =>
          typeof issue.input === 'number'
            ? 'must be a quoted string such as "1.34" (YAML reads 1.30 as the number 1.3)'
            : undefined,
      })
      .meta({
        description:
          'Kubernetes minor version of the control plane and the nodes, quoted ("1.34"). Raising it upgrades the control plane, then the node groups roll their nodes.',
      }),
    supportType: z
      .enum(SUPPORT_TYPES)
      .default('STANDARD')
      .meta({
        description: `EKS upgrade policy of the cluster. STANDARD (the default): no extended-support charges; when standard support of kubernetesVersion ends, EKS upgrades the control plane itself (Terraform plans warn from that date: ${STANDARD_SUPPORT_ENDS}). EXTENDED: the cluster may stay on its minor 12 more months, billed at the extended-support rate (what EKS does when no policy is set).`,
      }),
    endpoint: z
      .strictObject({
        publicAccess: z.boolean().default(false).meta({
          description:
            'Whether the Kubernetes API endpoint is reachable from the internet (from publicAccessCidrs). It is always reachable from the VPC.',
        }),
        publicAccessCidrs: z.array(cidr('A network allowed to reach the public endpoint.')).default([]).meta({
          description:
            'Networks allowed to reach the public endpoint; required when publicAccess is true (write 0.0.0.0/0 to open it to all), empty otherwise.',
        }),
      })
      .prefault({})
      .meta({ description: 'Access to the Kubernetes API endpoint. Private only by default.' }),
    logRetentionDays: z
      .int()
      .refine(
        (days) => LOG_RETENTION_DAYS.includes(days),
        `must be a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`,
      )
      .default(90)
      .meta({
        description: `How long CloudWatch Logs keeps the control-plane logs, in days: one of ${LOG_RETENTION_DAYS.join(', ')}.`,
      }),
    nodeGroups: z
      .array(nodeGroup)
      .min(1, 'must define at least one node group')
      .meta({ description: 'The EKS managed node groups of the cluster.' }),
  })
  .check(
    rules((c, { valid, issue }) => {
      if (valid(['endpoint'])) {
        if (c.endpoint.publicAccess && c.endpoint.publicAccessCidrs.length === 0) {
          issue(
            ['endpoint', 'publicAccessCidrs'],
            'must list the CIDRs allowed to reach a public endpoint (write 0.0.0.0/0 to open it to all)',
          );
        }
        if (!c.endpoint.publicAccess && c.endpoint.publicAccessCidrs.length > 0) {
          issue(['endpoint', 'publicAccessCidrs'], 'must be empty when publicAccess is false');
        }
      }
      if (!Array.isArray(c.nodeGroups)) return;
      const groupNames = c.nodeGroups.map((g) => g?.name);
      c.nodeGroups.forEach((g, gi) => {
        const at = ['nodeGroups', gi];
        if (valid(['color'], [...at, 'name']) && groupNames.indexOf(g.name) !== gi) {
          issue([...at, 'name'], `is used by another node group of cluster ${c.color}`);
        }
        if (valid(['kubernetesVersion'], [...at, 'releaseVersion'])) {
          const problem = releaseVersionProblem(g.releaseVersion, c.kubernetesVersion);
          if (problem !== undefined) issue([...at, 'releaseVersion'], problem);
        }
      });
    }),
  );

/** An app record name: a DNS label that leaves room for external-dns's TXT ownership record. */
const recordProblem = (record: string) => dnsLabelProblem(record) ?? externalDnsRecordProblem(record);

const toleration = z.strictObject({
  key: z.string().min(1).meta({ description: 'Taint key the toleration matches.' }),
  operator: z.enum(['Equal', 'Exists']).default('Equal').meta({
    description: 'Equal matches the taint value given in value; Exists matches every value of the key.',
  }),
  value: z.string().optional().meta({ description: 'Taint value to match with Equal; empty with Exists.' }),
  effect: z.enum(TAINT_EFFECTS).optional().meta({
    description: 'Taint effect to match. When omitted: every effect.',
  }),
});

/** The sources (ingressFrom) and destinations (egressTo) of an app's traffic: one kind each. */
const PEER_KINDS = ['namespace', 'namespaceLabels', 'cidr'] as const;

const trafficPeer = (direction: 'ingress' | 'egress') =>
  z
    .strictObject({
      namespace: dnsLabel(
        63,
        direction === 'ingress'
          ? "Namespace of another app of the environment whose pods may connect (its namespace, or its name when it sets none). The app's own namespace is always allowed."
          : 'Namespace of another app of the environment its pods may connect to.',
      ).optional(),
      namespaceLabels: z
        .record(
          checked((k) => qualifiedNameProblem(k, 'label key'), 'Namespace label key.'),
          checked(labelValueProblem, 'Namespace label value.'),
        )
        .optional()
        .meta({
          description: `Labels of the namespaces whose pods ${direction === 'ingress' ? 'may connect' : 'it may connect to'}, all of them required: e.g. { team: payments }, or { kubernetes.io/metadata.name: <namespace> } for a namespace that is not an app's.`,
        }),
      cidr: cidr(
        direction === 'ingress'
          ? 'Network whose addresses may connect, outside the cluster (a VPN, a peered VPC). Pods are addressed from the VPC, so a CIDR covering the VPC opens the pods to every pod of the cluster.'
          : 'Network the pods may connect to: a database subnet, an AWS endpoint, 0.0.0.0/0 for the internet.',
      ).optional(),
      ports: z
        .array(z.int().min(1).max(65535).meta({ description: 'A TCP port.' }))
        .min(1, 'must list at least one port, or be omitted')
        .max(
          MAX_NETWORK_POLICY_RULE_PORTS,
          `must list at most ${MAX_NETWORK_POLICY_RULE_PORTS} ports (VPC CNI network policy limit per rule)`,
        )
        .optional()
        .meta({
          description:
            direction === 'ingress'
              ? `TCP ports of the app's pods this source may reach. When omitted: the app's port. At most ${MAX_NETWORK_POLICY_RULE_PORTS} (VPC CNI network policy limit per rule).`
              : `TCP ports of the destination pods or hosts (the pods' own ports, not a Service's port). When omitted: every port and protocol. At most ${MAX_NETWORK_POLICY_RULE_PORTS} (VPC CNI network policy limit per rule).`,
        }),
    })
    .check(
      rules((peer, { issue }) => {
        const set = PEER_KINDS.filter((kind) => peer[kind] !== undefined);
        if (set.length !== 1) {
          issue(
            [],
            `must set exactly one of ${PEER_KINDS.join(', ')}, got ${set.length === 0 ? 'none' : set.join(', ')}`,
          );
        }
      }),
    )
    .meta({
      description:
        direction === 'ingress'
          ? "A source allowed to reach the app's pods: exactly one of namespace (another app's), namespaceLabels or cidr, and optionally its ports."
          : "A destination the app's pods may reach: exactly one of namespace (another app's), namespaceLabels or cidr, and optionally its ports.",
    });

/** A secret an app needs, copied from AWS Secrets Manager by External Secrets Operator. */
const appSecret = z
  .strictObject({
    name: checked(
      secretNameProblem,
      "Name of the Kubernetes Secret (and of its ExternalSecret) in the app's namespace; the pods read it as files under /var/run/secrets/app/<name>/. A DNS-1123 subdomain of at most 253 characters.",
    ),
    remoteKey: z.string().min(1).meta({
      description:
        'Name of the AWS Secrets Manager secret, under addons.externalSecrets.prefix (prod/payments/db).',
    }),
    keys: z
      .array(checked(secretKeyProblem, 'A key of the JSON secret, and the name of its file.'))
      .min(1)
      .optional()
      .meta({
        description:
          "The keys of the secret's JSON object to copy, each becoming a Secret key (a file). When omitted: every key of the JSON object.",
      }),
  })
  .check(
    rules((secret, { valid, issue }) => {
      if (!valid(['keys'])) return;
      (secret.keys ?? []).forEach((key, ki) => {
        if ((secret.keys ?? []).indexOf(key) !== ki) issue(['keys', ki], 'is listed twice');
      });
    }),
  );

const app = z
  .strictObject({
    name: checked(
      (v) => dnsLabelProblem(v, 40) ?? serviceNameProblem(v),
      'Name of the app: its Deployment, Service and Argo CD component apps-<name>. A DNS label starting with a letter (Kubernetes Service names), at most 40 characters.',
    ),
    namespace: dnsLabel(
      63,
      "Namespace the app runs in; the app creates and prunes it, so two apps cannot share one. When omitted: the app's name.",
    ).optional(),
    team: dnsLabel(
      63,
      "Owning team, written as a label on the namespace. When omitted: the app's name.",
    ).optional(),
    image: checked(
      pinnedImageProblem,
      'Container image pinned by tag (repository:1.2.3, not latest) or by digest (repository@sha256:…).',
    ),
    port: z.int().min(1).max(65535).meta({ description: 'TCP port the container serves HTTP on.' }),
    healthPath: z
      .string()
      .regex(/^\//, 'must be an absolute HTTP path such as /healthz')
      .default('/healthz')
      .meta({
        description:
          'HTTP path of the readiness probe: while it fails, the pod gets no traffic. It may check the dependencies the app needs to serve (database, downstream APIs). A failure never restarts the pod.',
      }),
    livenessPath: z.string().regex(/^\//, 'must be an absolute HTTP path such as /livez').optional().meta({
      description:
        'HTTP path of the startup and liveness probes: after 60 s of failures the container restarts, so it must answer whenever the process itself works, without checking dependencies. Must differ from healthPath. When omitted: those probes only open a TCP connection to the port.',
    }),
    replicas: z
      .strictObject({
        min: z.int().min(1).meta({ description: 'Fewest pods the HorizontalPodAutoscaler keeps.' }),
        max: z
          .int()
          .min(1)
          .meta({ description: 'Most pods the HorizontalPodAutoscaler may run; at least min.' }),
        targetCpuPercent: z.int().min(1).max(100).default(70).meta({
          description: 'Average CPU use, in percent of the CPU request, that the autoscaler aims for.',
        }),
      })
      .meta({ description: 'Horizontal autoscaling of the app on CPU.' }),
    resources: z
      .strictObject({
        cpu: cpu('CPU request of each pod.'),
        memory: memory('Memory request of each pod.'),
        cpuLimit: cpu(
          'CPU limit of each pod, at least cpu. When omitted: no CPU limit (throttling hurts latency).',
        ).optional(),
        memoryLimit: memory(
          'Memory limit of each pod, at least memory. When omitted: equal to memory.',
        ).optional(),
      })
      .meta({ description: 'Compute resources of each pod.' }),
    placement: z.enum(['essential', 'spot', 'any']).default('any').meta({
      description:
        'Which nodes the pods run on, by lifecycle label: essential, spot, or any node (the default).',
    }),
    tolerations: z
      .array(toleration)
      .default([])
      .meta({ description: 'Taints the pods tolerate, e.g. to run on a dedicated node group.' }),
    dns: z
      .strictObject({
        private: checked(
          recordProblem,
          'Record published in the private zone: <record>.<zone> on the live cluster, <record>.eks-<color>.<zone> on each cluster. A DNS label of at most 57 characters: external-dns prepends cname- to name its TXT ownership record.',
        ).optional(),
        public: checked(
          recordProblem,
          'Record published in the public zone, like private. A DNS label of at most 57 characters (external-dns TXT ownership record).',
        ).optional(),
      })
      .default({})
      .meta({
        description:
          'DNS records that external-dns publishes for the app, each on a Service of its own. Empty (the default): none.',
      }),
    loadBalancer: z.enum(['nlb', 'alb']).default('nlb').meta({
      description:
        "What serves each name of dns: nlb (the default), a Network Load Balancer per name (TCP port 80 to the app's port); alb, an Application Load Balancer per name, from an Ingress of class alb (HTTP port 80 to the app's port), which needs addons.loadBalancerController.enabled. Changing it replaces the app's load balancers (new DNS targets).",
    }),
    clusters: z
      .array(z.string().meta({ description: 'A cluster color.' }))
      .optional()
      .meta({ description: 'Colors of the clusters that run the app. When omitted: every cluster.' }),
    ingressFrom: z.array(trafficPeer('ingress')).default([]).meta({
      description:
        "Who else may connect to the app's pods. Its namespace denies every other ingress: only its own namespace, its load balancers (when dns publishes a name) and the kubelet's probes get in. Empty (the default): nobody else.",
    }),
    secrets: z.array(appSecret).default([]).meta({
      description:
        "Secrets the app needs from AWS Secrets Manager: each becomes an ExternalSecret and a Secret in the app's namespace, mounted read-only into its pods. Needs addons.externalSecrets. Empty (the default): none.",
    }),
    egressTo: z.array(trafficPeer('egress')).optional().meta({
      description:
        "Where the pods of the app's namespace may connect. When omitted: anywhere. When given, even empty, every other egress is denied; cluster DNS and the app's own namespace stay allowed.",
    }),
  })
  .check(
    rules((a, { valid, issue }) => {
      // A liveness probe on the readiness path restarts every pod when a shared dependency fails
      // (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/).
      if (valid(['healthPath', 'livenessPath']) && a.livenessPath === a.healthPath) {
        issue(
          ['livenessPath'],
          `must differ from healthPath (${a.healthPath}): liveness must not fail with readiness`,
        );
      }
      if (valid(['replicas']) && a.replicas.min > a.replicas.max) {
        issue(['replicas', 'max'], `must be >= replicas.min (${a.replicas.min})`);
      }
      if (valid(['resources'])) {
        const request = parseMemory(a.resources.memory) ?? 0;
        if (a.resources.memoryLimit !== undefined && (parseMemory(a.resources.memoryLimit) ?? 0) < request) {
          issue(['resources', 'memoryLimit'], `must be >= memory (${a.resources.memory})`);
        }
        if (
          a.resources.cpuLimit !== undefined &&
          (parseCpu(a.resources.cpuLimit) ?? 0) < (parseCpu(a.resources.cpu) ?? 0)
        ) {
          issue(['resources', 'cpuLimit'], `must be >= cpu (${a.resources.cpu})`);
        }
      }
      if (valid(['tolerations'])) {
        a.tolerations.forEach((t, ti) => {
          if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
            issue(
              ['tolerations', ti, 'value'],
              'must be empty when operator is Exists (Exists matches every value of the key)',
            );
          }
        });
      }
      if (!valid(['name'], ['namespace'])) return;
      const namespace = a.namespace ?? a.name;
      const field = a.namespace === undefined ? 'name' : 'namespace';
      // https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
      if (namespace === 'default' || namespace.startsWith('kube-')) {
        issue(
          [field],
          `gives the namespace ${namespace}, which belongs to Kubernetes (default, kube-*): an app's namespace is created and pruned with the app`,
        );
      }
      if (namespace === ARGOCD.namespace) {
        issue(
          [field],
          `gives the namespace ${ARGOCD.namespace}, which belongs to Argo CD: its Helm release creates it`,
        );
      }
      // An add-on's own namespace (overprovisioning, external-secrets): the app would prune it,
      // and everything of the add-on in it, when it is removed.
      const addon = Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>).find(
        (d) => d.namespace === namespace,
      );
      if (addon !== undefined && !namespace.startsWith('kube-')) {
        issue(
          [field],
          `gives the namespace ${namespace}, which belongs to add-on ${addon.component}: an app's namespace is created and pruned with the app`,
        );
      }
    }),
  );

const hostedZone = <T extends z.core.$ZodLooseShape>(visibility: string, extra: T) =>
  z
    .strictObject({
      zone: dnsName(`Name of the ${visibility} Route 53 hosted zone.`),
      zoneId: z
        .string()
        .regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABC')
        .meta({ description: `Id of the ${visibility} hosted zone, such as Z0123456789ABC.` }),
      ...extra,
    })
    .meta({
      description: `The ${visibility} hosted zone (created outside the platform). The live cluster publishes apps at <record>.<zone>, every cluster at <record>.eks-<color>.<zone>.`,
    });

const iamRoleArn = (description: string) =>
  z
    .string()
    .regex(
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
      'must be an IAM role ARN such as arn:aws:iam::111111111111:role/k8sadmin',
    )
    .refine(
      (arn) => arn.slice(arn.lastIndexOf('/') + 1).length <= 64,
      'must name a role of at most 64 characters (IAM role name limit)',
    )
    .meta({ description });

const accessEntry = z.strictObject({
  roleArn: iamRoleArn(
    'ARN of the IAM role that gets access, such as arn:aws:iam::111111111111:role/k8sadmin.',
  ),
  username: z.string().min(1).max(256).meta({
    description:
      'Kubernetes user name of the role, as RBAC and audit logs see it. In API modes it must not start with system:, eks:, aws:, amazon: or iam: (EKS access entries).',
  }),
  groups: z
    .array(z.string().min(1).meta({ description: 'A Kubernetes group name.' }))
    .min(1, 'must list at least one Kubernetes group')
    .meta({
      description:
        'Kubernetes groups of the role, bound by RBAC. system:masters makes the role cluster admin; other system: groups are refused in API modes.',
    }),
});

const appAccessEntry = z.strictObject({
  group: z.string().min(1).meta({
    description:
      'A Kubernetes group that an access entry maps (access[].groups); not a system: group (system:masters is already cluster admin).',
  }),
  roles: z
    .array(z.enum(APP_ACCESS_ROLE_NAMES))
    .min(1, 'must list at least one role (edit or debug)')
    .meta({
      description: `The rights the group gets in the namespaces. edit: the built-in ClusterRole ${APP_ACCESS_ROLES.edit} (write to most objects of the namespace, its Secrets included, and run pods as any of its ServiceAccounts). debug: the ClusterRole ${APP_ACCESS_ROLES.debug} (exec, attach, port-forward, logs, ephemeral containers).`,
    }),
  namespaces: z
    .array(z.string().meta({ description: 'The namespace of an app of this environment.' }))
    .min(1, 'must list at least one namespace; omit namespaces for every app namespace')
    .optional()
    .meta({
      description:
        "App namespaces (apps[].namespace, else the app's name) where the group gets the roles, on every cluster the app runs on. When omitted: every app namespace.",
    }),
});

/** An API group and kind, as an Argo CD AppProject whitelist names them ('' is the core group). */
const groupKind = (what: string, example: string) =>
  z
    .strictObject({
      group: z
        .string()
        .regex(
          /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/,
          "must be an API group such as apiextensions.k8s.io, or '' for the core group",
        )
        .meta({ description: "API group, such as apiextensions.k8s.io; '' for the core group (v1)." }),
      kind: z
        .string()
        .regex(/^[A-Z][A-Za-z0-9]*$/, 'must be a Kubernetes kind such as CustomResourceDefinition')
        .meta({ description: `Kind, such as ${example}.` }),
    })
    .meta({ description: what });

const chartPolicyStatement = z
  .strictObject({
    sid: z
      .string()
      .regex(/^[A-Za-z0-9]+$/, 'must be letters and digits only (IAM Sid)')
      .optional()
      .meta({ description: 'Statement id: letters and digits.' }),
    effect: z.enum(['Allow', 'Deny']).default('Allow').meta({ description: 'Allow (the default) or Deny.' }),
    actions: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9-]+:[A-Za-z0-9*?]+$/, 'must be an IAM action such as s3:GetObject')
          .meta({ description: 'An IAM action, service:Action.' }),
      )
      .min(1, 'must list at least one action')
      .meta({ description: 'IAM actions, such as route53:ChangeResourceRecordSets.' }),
    resources: z
      .array(z.string().min(1).meta({ description: 'An ARN, or * for read actions that take no resource.' }))
      .min(1, 'must list at least one resource')
      .meta({
        description:
          'ARNs the actions apply to. `npm run check` (rule iam-wildcards) refuses a mutating action on * without a condition.',
      }),
    conditions: z
      .array(
        z
          .strictObject({
            test: z.string().min(1).meta({ description: 'Condition operator, such as StringEquals.' }),
            variable: z
              .string()
              .min(1)
              .meta({ description: 'Condition key, such as aws:ResourceTag/owner.' }),
            values: z
              .array(z.string().meta({ description: 'A value.' }))
              .min(1)
              .meta({ description: 'Values the key is compared with.' }),
          })
          .meta({ description: 'A condition of the statement (IAM Condition block).' }),
      )
      .default([])
      .meta({ description: 'Conditions of the statement. Empty (the default): none.' }),
  })
  .meta({ description: "One statement of the role's inline policy." });

const helmChart = z
  .strictObject({
    name: dnsLabel(
      53,
      'Name of the chart entry: its Helm release name, its Argo CD Application and AppProject charts-<name>, and its IAM role <cluster>-chart-<name>. At most 53 characters (Helm release names).',
    ),
    repoURL: checked(
      helmRepositoryProblem,
      "Where the chart is published: an https:// Helm repository (serving index.yaml), or an OCI registry path oci://<registry>/<path> (the chart is oci://<registry>/<path>/<chart>). The chart's AppProject allows this source only.",
    ),
    chart: z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/,
        'must be a Helm chart name: lowercase letters, digits, ., _ and -',
      )
      .meta({ description: 'Name of the chart in the repository, such as cilium.' }),
    version: checked(
      exactChartVersionProblem,
      'Exact chart version, such as 1.18.4: never a range (^, ~, *, x, >=), never latest, so that dist/ says which version runs and a bump is a reviewed one-line change.',
    ),
    namespace: dnsLabel(
      63,
      "Namespace the chart installs into: the Application's destination and the only namespace its AppProject allows. Argo CD creates it (CreateNamespace) unless it is default or kube-*; it never deletes it. Not argocd, nor an app's or an add-on's namespace.",
    ),
    otherNamespaces: z.array(dnsLabel(63, 'A namespace.')).default([]).meta({
      description:
        "Other namespaces the chart puts objects in (such as Cilium's cilium-secrets), added to its AppProject destinations. Argo CD does not create them: a chart that creates one renders its Namespace, so list { group: '', kind: Namespace } in clusterResources. Same restrictions as namespace. Empty (the default): none.",
    }),
    clusters: z
      .array(z.string().meta({ description: 'A cluster color.' }))
      .optional()
      .meta({ description: 'Colors of the clusters that install the chart. When omitted: every cluster.' }),
    values: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({
        description: `Helm values, passed as the Application's helm.valuesObject (free-form, not checked against the chart). With iam, write ${IAM_ROLE_ARN_PLACEHOLDER} where the chart takes the role ARN (its service account annotation eks.amazonaws.com/role-arn): each cluster gets its own role. Empty (the default): the chart's defaults.`,
      }),
    clusterResources: z
      .array(
        groupKind('A cluster-scoped kind the chart may create.', 'CustomResourceDefinition or ClusterRole'),
      )
      .default([])
      .meta({
        description:
          'Cluster-scoped kinds the chart may create (its AppProject clusterResourceWhitelist), such as { group: apiextensions.k8s.io, kind: CustomResourceDefinition } or { group: rbac.authorization.k8s.io, kind: ClusterRole }. Empty (the default): none (plus Namespace when Argo CD creates the namespace).',
      }),
    namespaceResources: z
      .array(groupKind('A namespaced kind the chart may create.', 'Deployment or ConfigMap'))
      .min(1, 'must list at least one kind; omit namespaceResources to allow every kind in the namespace')
      .optional()
      .meta({
        description:
          "Namespaced kinds the chart may create in its namespace (its AppProject namespaceResourceWhitelist). When omitted: any kind, in the chart's namespace only.",
      }),
    iam: z
      .strictObject({
        serviceAccount: dnsLabel(
          63,
          "Name of the chart's ServiceAccount (in the chart's namespace) that the role trusts: the name the chart gives it, as its values set it.",
        ),
        statements: z.array(chartPolicyStatement).default([]).meta({
          description: "The role's inline policy. Empty (the default): no inline policy.",
        }),
        managedPolicyArns: z
          .array(
            z
              .string()
              .regex(
                /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/,
                'must be an IAM managed policy ARN such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
              )
              .meta({ description: 'ARN of a managed policy.' }),
          )
          .default([])
          .meta({ description: 'Managed policies attached to the role. Empty (the default): none.' }),
      })
      .optional()
      .meta({
        description: `An IAM role for the chart's ServiceAccount (IRSA), <cluster>-chart-<name> in each cluster's stack, trusted for exactly system:serviceaccount:<namespace>:<serviceAccount>. values must write ${IAM_ROLE_ARN_PLACEHOLDER} where the chart takes its ARN. When omitted: no AWS identity.`,
      }),
  })
  .check(
    rules((c, { valid, issue }) => {
      if (!valid(['iam']) || c.iam === undefined) return;
      if (c.iam.statements.length === 0 && c.iam.managedPolicyArns.length === 0) {
        issue(['iam'], 'must give statements or managedPolicyArns: a role without a policy grants nothing');
      }
      c.iam.managedPolicyArns.forEach((arn, i) => {
        const name = arn.slice(arn.indexOf(':policy/') + 8);
        const first = c.iam?.managedPolicyArns.findIndex((a) => a.slice(a.indexOf(':policy/') + 8) === name);
        if (first !== i)
          issue(
            ['iam', 'managedPolicyArns', i],
            `names the policy ${name} of managedPolicyArns[${first}] again`,
          );
      });
    }),
  )
  .meta({
    description:
      'A Helm chart Argo CD installs from its repository at an exact version, in one namespace, on the clusters listed.',
  });

const rootObject = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must start with a letter and use only lowercase letters, digits and -')
    .max(16, 'must be at most 16 characters')
    .meta({
      description:
        'Name of the environment; must equal the file name (prod for prod.yaml). It prefixes every AWS name: <name>-<color> clusters, <name>-network. At most 16 characters.',
    }),
  account: accountId('AWS account the environment is deployed to.'),
  region: region('AWS region of the environment, such as ca-central-1.'),
  tags: z
    .record(
      checked(awsTagKeyProblem, 'Tag key: 1 to 128 characters, not starting with aws:.'),
      checked(awsTagValueProblem, 'Tag value: at most 256 characters.'),
    )
    .default({})
    .meta({
      description: `AWS tags put on every resource that supports them (owner, cost center…). AWS allows ${AWS_TAG.maxPerResource} tags per resource and subnets also carry Name, a load balancer role tag and one kubernetes.io/cluster tag per cluster: at most ${AWS_TAG.maxPerResource - 4} here with two clusters.`,
    }),
  network: z
    .strictObject({
      cidr: cidr(
        `Address range of the VPC, /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}. Each zone gets a private subnet of 1/16 of it (nodes and pods) and a public subnet of 1/256 (load balancers).`,
      ),
      availabilityZones: z
        .array(z.string().meta({ description: 'An availability zone of the region, a to h.' }))
        .min(2, 'must list at least two zones: EKS requires subnets in two')
        .meta({
          description:
            'Availability zones of the VPC, at least two (EKS). Each zone letter has a fixed subnet slot, so adding or removing a zone never renumbers another.',
        }),
      natGateways: z.enum(['single', 'perAz']).default('single').meta({
        description:
          'single: one NAT gateway for the VPC (cheaper; private subnets lose internet access if its zone fails). perAz: one per zone.',
      }),
    })
    .meta({ description: 'The VPC of the environment, shared by its clusters.' }),
  dns: z
    .strictObject({
      private: hostedZone('private', {
        associateVpc: z.boolean().default(true).meta({
          description:
            "Whether the network stack associates the zone with the environment's VPC, so its names resolve inside the VPC (true, the default). Write false when the zone is already associated with that VPC (a zone created with it, or an adopted setup): Route 53 refuses a second association of the same VPC.",
        }),
      }),
      public: hostedZone('public', {}),
    })
    .meta({ description: 'The Route 53 hosted zones external-dns publishes app records in.' }),
  ecr: z
    .strictObject({
      account: accountId('Account of the ECR repositories.'),
      region: region('Region of the ECR repositories.'),
    })
    .optional()
    .meta({
      description:
        'Where the nodes pull app images from (ECR). When omitted: the repositories of the environment account and region.',
    }),
  authenticationMode: z.enum(['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP']).default('API').meta({
    description:
      'How IAM roles are mapped to Kubernetes users: EKS access entries (API, the default), the aws-auth ConfigMap (CONFIG_MAP), or both. EKS can move from CONFIG_MAP towards API, never back.',
  }),
  access: z.array(accessEntry).default([]).meta({
    description:
      'IAM roles that may use the clusters, with their Kubernetes user and groups. In API modes at least one must be in system:masters.',
  }),
  encryption: z
    .strictObject({
      keyAdministrators: z
        .array(
          iamRoleArn(
            'ARN of an IAM role that administers the keys, such as arn:aws:iam::111111111111:role/security-admin. The role must exist when the cluster stack is deployed: KMS refuses a key policy naming a principal that does not exist.',
          ),
        )
        .check(
          rules((roles: string[], { issue }) => {
            // Runs even when the list failed to parse: only a list has duplicates.
            if (!Array.isArray(roles)) return;
            roles.forEach((arn, i) => {
              if (roles.indexOf(arn) !== i)
                issue([i], `is listed twice (first at keyAdministrators[${roles.indexOf(arn)}])`);
            });
          }),
        )
        .default([])
        .meta({
          description:
            "IAM roles named in the key policy of every cluster's KMS keys (the secrets key and the control-plane logs key) as key administrators: they may describe, enable, disable, rotate, tag, change the policy of and schedule the deletion of the keys, but not encrypt or decrypt with them. The account itself keeps full access through IAM policies whatever this lists. Empty (the default): no role is named; administration goes through IAM policies only.",
        }),
    })
    .prefault({})
    .meta({
      description:
        'The KMS keys of each cluster: the key that envelope-encrypts Kubernetes Secrets and the key of the control-plane log group (docs/infrastructure.md, Keys).',
    }),
  appAccess: z
    .array(appAccessEntry)
    .optional()
    .meta({
      description: `Which groups get write (edit) or debug rights in which app namespaces. The rights are RoleBindings in each app's namespace, never cluster-wide: no group gets them in kube-system, argocd or an add-on namespace. The readonly group views every namespace (the built-in view role, which reads no Secrets) whatever this says; system:masters stays cluster admin. When omitted: ${DEFAULT_APP_ACCESS.map((e) => `${e.group} gets ${e.roles.join(' and ')}`).join(', ')}, in every app namespace; an empty list gives nobody write or debug rights.`,
      examples: [
        [
          { group: 'readwrite', roles: ['edit'] },
          { group: 'debugmode', roles: ['debug'] },
          { group: 'payments-devs', roles: ['edit', 'debug'], namespaces: ['payments'] },
        ],
      ],
    }),
  gitops: z
    .strictObject({
      repoURL: checked(
        httpsOrSshUrlProblem,
        'Git repository Argo CD syncs dist/ from: an https:// or ssh:// URL, or git@host:path.',
      ),
      revision: z
        .string()
        .min(1)
        .default('main')
        .meta({ description: 'Branch, tag or commit Argo CD follows.' }),
      bootstrapRoleArn: iamRoleArn(
        'IAM role that runs the bootstrap stacks (Argo CD install), such as a CI deploy role. In API and API_AND_CONFIG_MAP mode it gets a cluster-admin access entry (AmazonEKSClusterAdminPolicy) on every cluster, and the bootstrap stack refuses to run as any identity other than it and the access roles in system:masters. When omitted: only those access roles. Not allowed in CONFIG_MAP mode, where only the identity that created the cluster is admin until Argo CD applies aws-auth.',
      ).optional(),
    })
    .meta({ description: 'The Git repository each cluster Argo CD syncs its components from.' }),
  backend: z
    .strictObject({
      s3: z
        .strictObject({
          bucket: z
            .string()
            .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
            .meta({ description: 'S3 bucket holding the Terraform state (created outside the platform).' }),
          region: region('Region of the bucket.'),
          keyPrefix: z.string().default('eks-platform').meta({
            description: 'Prefix of the state keys: each stack stores <keyPrefix>/<stack>.tfstate.',
          }),
        })
        .meta({ description: 'Terraform state in S3.' }),
    })
    .optional()
    .meta({
      description:
        'Where Terraform keeps its state. When omitted: local files (for trying the platform out).',
    }),
  live: z.string().meta({
    description:
      'Color of the cluster that serves the production DNS names (<record>.<zone>) and the api. and eks. records of the private zone. Switching it is the blue/green cut-over.',
  }),
  clusters: z
    .array(cluster)
    .min(1, 'must define at least one cluster')
    .meta({ description: 'The EKS clusters of the environment, usually blue and green.' }),
  addons: z
    .strictObject({
      ...addonToggles(),
      ebsCsiDriver: z
        .strictObject({
          enabled: z.boolean().default(true).meta({
            description:
              'Whether the EBS CSI driver runs (EKS managed add-on aws-ebs-csi-driver, its IAM role and KMS key) and gp3 is the default StorageClass.',
          }),
          reclaimPolicy: z.enum(['Delete', 'Retain']).default('Delete').meta({
            description:
              'What happens to an EBS volume of the gp3 StorageClass when its PersistentVolumeClaim is deleted: Delete removes it, Retain keeps it (and its cost) until deleted by hand. A StorageClass cannot be changed in place: after a change, delete it (kubectl delete storageclass gp3) and Argo CD re-creates it; existing volumes keep the policy they had.',
          }),
        })
        .prefault({})
        .meta({
          description:
            'Amazon EBS CSI driver: without it no PersistentVolumeClaim gets a volume (Kubernetes 1.23 and later). The EKS managed add-on with its own IRSA role and KMS key, and the default StorageClass gp3 (encrypted with that key, WaitForFirstConsumer, expandable). On by default.',
        }),
      nodeLocalDns: z
        .strictObject({
          enabled: z.boolean().default(false).meta({
            description:
              'Whether node-local DNS runs: a privileged DaemonSet (host network, root, NET_ADMIN) that changes the iptables rules and interfaces of every node, so an environment turns it on in its own config.',
          }),
        })
        .prefault({})
        .meta({
          description:
            'Node-local DNS cache (upstream nodelocaldns): node-cache on every node answers the kube-dns address itself, so pods and kubelets are unchanged; no conntrack races on UDP DNS, CoreDNS sees only cache misses. Off by default.',
        }),
      overprovisioning: z
        .strictObject({
          enabled: z.boolean().default(false).meta({ description: 'Whether placeholder pods run.' }),
          cpu: cpu('CPU request of each placeholder pod.').default('1'),
          memory: memory('Memory request of each placeholder pod.').default('2Gi'),
          coresPerReplica: z.int().min(1).default(20).meta({
            description: 'One placeholder pod per this many CPU cores of the cluster.',
          }),
          nodesPerReplica: z.int().min(1).default(6).meta({
            description: 'One placeholder pod per this many nodes (the larger of the two counts wins).',
          }),
          min: z.int().min(0).default(1).meta({ description: 'Fewest placeholder pods.' }),
          max: z.int().min(1).default(10).meta({ description: 'Most placeholder pods; at least min.' }),
          preventSinglePointFailure: z.boolean().default(true).meta({
            description: 'Keep at least two placeholder pods when there are two nodes or more.',
          }),
        })
        .check(
          rules((o, { valid, issue }) => {
            if (valid(['min'], ['max']) && o.min > o.max) issue(['max'], `must be >= min (${o.min})`);
          }),
        )
        .prefault({})
        .meta({
          description:
            'Low-priority placeholder pods that keep spare room: real pods preempt them at once while cluster-autoscaler adds a node. Disabled by default.',
        }),
      descheduler: z
        .strictObject({
          enabled: z.boolean().default(false).meta({
            description:
              'Whether the descheduler runs: every 5 minutes it evicts pods that break their node affinity, their node taints, their anti-affinity or topology spread, or that duplicate a sibling on one node, only where they fit elsewhere and their PodDisruptionBudget allows; never in kube-system or another add-on namespace.',
          }),
        })
        .prefault({})
        .meta({
          description:
            'descheduler: moves running pods whose placement no longer holds, in cooperation with cluster-autoscaler (no utilization plugin). Disabled by default: it evicts running pods.',
        }),
      fluentBit: z
        .strictObject({
          enabled: z.boolean().default(false).meta({
            description:
              'Whether Fluent Bit runs: a DaemonSet that reads every container log of every node as root and sends it to CloudWatch Logs (billed per GB ingested and stored), so an environment turns it on in its own config.',
          }),
          retentionDays: z
            .int()
            .refine(
              (days) => LOG_RETENTION_DAYS.includes(days),
              `must be a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`,
            )
            .default(30)
            .meta({
              description: `How long CloudWatch Logs keeps the container logs (log group /aws/eks/<cluster>/containers), in days: one of ${LOG_RETENTION_DAYS.join(', ')}.`,
            }),
        })
        .prefault({})
        .meta({
          description:
            'Fluent Bit (upstream chart fluent/helm-charts fluent-bit 0.58.1): container logs of every node to a CloudWatch Logs group per cluster, encrypted with a key of its own, through an IAM role that can only write to that group. Off by default.',
        }),
      externalSecrets: z
        .strictObject({
          enabled: z.boolean().default(false).meta({
            description:
              'Whether External Secrets Operator runs (the upstream chart through Argo CD, its IAM role, the ClusterSecretStore aws-secrets-manager), so apps may declare secrets.',
          }),
          prefix: checked(
            secretPrefixProblem,
            "The Secrets Manager secret names the operator may read: those starting with this prefix, which must end with '/'. When omitted: the environment's name and '/' (prod/).",
          ).optional(),
        })
        .prefault({})
        .meta({
          description:
            "External Secrets Operator (upstream chart external-secrets 2.9.0): copies AWS Secrets Manager secrets under the environment's prefix into Kubernetes Secrets of the apps that declare them (apps[].secrets), through an IAM role that can only read those secrets. Off by default.",
        }),
      loadBalancerController: z
        .strictObject({
          enabled: z.boolean().default(false).meta({
            description:
              "Whether the AWS Load Balancer Controller runs and serves the apps' load balancers (NLBs with IP targets; ALBs for apps with loadBalancer: alb). Turning it on or off replaces every published app's load balancer: the DNS records follow (external-dns), the old names resolve to a deleted load balancer until they do (docs/addons.md).",
          }),
        })
        .prefault({})
        .meta({
          description:
            'AWS Load Balancer Controller v3.5.0 (kubernetes-sigs/aws-load-balancer-controller, rendered from its chart 3.5.0): Network Load Balancers with IP targets for the apps Services, and Application Load Balancers for Ingresses of class alb, through an IAM role limited to the load balancers tagged for its cluster. Off by default.',
        }),
    })
    .prefault({})
    .meta({ description: 'The cluster add-ons the platform deploys through Argo CD.' }),
  apps: z
    .array(app)
    .default([])
    .meta({ description: 'The HTTP services the platform deploys on the clusters.' }),
  charts: z.array(helmChart).default([]).meta({
    description:
      "Any other Helm chart, installed by Argo CD as an Application per cluster from its repository at an exact version, with an AppProject of its own (that repository, that namespace, the kinds listed). dist/ shows the Application, not the chart's objects: no check rule sees them (docs/addons.md, Any Helm chart). Empty (the default): none.",
  }),
});

export const platformSchema = rootObject.check(rules(rootRules));

/** Rules that read several parts of the file (the zones of the network, the cluster colors…). */
function rootRules(config: z.output<typeof rootObject>, { valid, issue }: RuleContext): void {
  if (valid(['region'], ['network', 'availabilityZones'])) {
    const zones = config.network.availabilityZones;
    const seenZones = new Set<string>();
    zones.forEach((zone, i) => {
      if (
        !zone.startsWith(config.region) ||
        !new RegExp(`^[${ZONE_SLOTS}]$`).test(zone.slice(config.region.length))
      ) {
        issue(
          ['network', 'availabilityZones', i],
          `must be a zone of ${config.region} (${config.region}a to ${config.region}h)`,
        );
      }
      if (seenZones.has(zone)) issue(['network', 'availabilityZones', i], 'is listed twice');
      seenZones.add(zone);
    });
  }

  if (valid(['network', 'cidr'])) {
    const vpc = parseCidr(config.network.cidr);
    if (typeof vpc !== 'string' && (vpc.prefix < MIN_VPC_PREFIX || vpc.prefix > MAX_VPC_PREFIX)) {
      issue(
        ['network', 'cidr'],
        `must have a prefix from /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}: each zone gets a private subnet of 1/16 and a public subnet of 1/256 of it`,
      );
    }
  }

  const clustersValid = valid(['clusters', '*', 'color']);
  const colors = clustersValid ? config.clusters.map((c) => c.color) : [];
  if (clustersValid && valid(['live']) && !colors.includes(config.live)) {
    issue(['live'], `must name a cluster color: one of ${colors.join(', ')}`);
  }
  if (clustersValid) {
    config.clusters.forEach((c, ci) => {
      if (colors.indexOf(c.color) !== ci) issue(['clusters', ci, 'color'], 'is used by another cluster');
      // Stacks are named <env>-network, <env>-live-dns, <env>-<color> and <env>-<color>-bootstrap.
      if (c.color === 'network' || c.color === 'live-dns' || c.color.endsWith('-bootstrap')) {
        issue(
          ['clusters', ci, 'color'],
          'must not be network, live-dns or end with -bootstrap: <environment>-<color> would be the name of another Terraform stack',
        );
      }
    });
    // Each cluster publishes under eks-<color>.<zone>: the zone must leave room for the longest color.
    for (const visibility of ['private', 'public'] as const) {
      if (!valid(['dns', visibility, 'zone'])) continue;
      const problem = config.clusters
        .map((c) =>
          dnsNameLengthProblem(clusterDnsZones(config, c)[visibility], `DNS zone of cluster ${c.color}`),
        )
        .find((p) => p !== undefined);
      if (problem !== undefined) issue(['dns', visibility, 'zone'], problem);
    }
  }
  if (valid(['network', 'availabilityZones'], ['clusters', '*', 'nodeGroups', '*', 'availabilityZones'])) {
    const zones = config.network.availabilityZones;
    config.clusters.forEach((c, ci) => {
      // A per-zone group `a` makes `<cluster>-a-b` in zone b, as a single group `a-b` does.
      if (valid(['clusters', ci, 'nodeGroups', '*', 'name'], ['clusters', ci, 'nodeGroups', '*', 'perAz'])) {
        const owners = new Map<string, string>();
        c.nodeGroups.forEach((g, gi) => {
          for (const managed of managedNodeGroupKeys(config, c, g)) {
            const owner = owners.get(managed.base);
            if (owner !== undefined && owner !== g.name) {
              issue(
                ['clusters', ci, 'nodeGroups', gi, 'name'],
                `must not make the EKS managed node group ${managed.base} that node group ${owner} makes too (names are <cluster>-<group>-<zone letter> per zone), got ${g.name}`,
              );
            }
            owners.set(managed.base, g.name);
          }
        });
      }
      c.nodeGroups.forEach((g, gi) => {
        g.availabilityZones.forEach((zone, zi) => {
          if (!zones.includes(zone)) {
            issue(
              ['clusters', ci, 'nodeGroups', gi, 'availabilityZones', zi],
              `must be one of network.availabilityZones: ${zones.join(', ')}`,
            );
          }
        });
      });
    });
  }

  if (valid(['tags'], ['clusters'])) {
    // Subnets carry the most tags the platform adds: Name, the load balancer role tag and one
    // kubernetes.io/cluster/<cluster> tag per cluster (infra/stacks/network-stack.ts).
    const added = 2 + config.clusters.length;
    const count = Object.keys(config.tags).length;
    if (count + added > AWS_TAG.maxPerResource) {
      issue(
        ['tags'],
        `must hold at most ${AWS_TAG.maxPerResource - added} tags: AWS allows ${AWS_TAG.maxPerResource} per resource and the platform adds ${added} to each subnet (Name, the load balancer role, one kubernetes.io/cluster tag per cluster), got ${count}`,
      );
    }
  }

  if (valid(['backend'], ['name'], ['clusters', '*', 'color']) && config.backend !== undefined) {
    // The longest state key: <keyPrefix>/<env>-<color>-bootstrap.tfstate.
    const longest = Math.max(...config.clusters.map((c) => stackNames.bootstrap(config, c).length));
    const max = 1024 - '/.tfstate'.length - longest;
    if (config.backend.s3.keyPrefix.length > max) {
      issue(
        ['backend', 's3', 'keyPrefix'],
        `must be at most ${max} characters: the state key <keyPrefix>/<stack>.tfstate must fit the 1024 characters of an S3 object key`,
      );
    }
  }

  if (valid(['apps', '*', 'name'], ['apps', '*', 'namespace'])) {
    // First index of each key, name and namespace: maps, not a search per app (2,000 apps).
    const firstOfKey = new Map<string, number>();
    const firstOfName = new Map<string, number>();
    const firstOfNamespace = new Map<string, (typeof config.apps)[number]>();
    for (const [ai, a] of config.apps.entries()) {
      const key = `${a.namespace ?? a.name}/${a.name}`;
      if (!firstOfKey.has(key)) firstOfKey.set(key, ai);
      if (!firstOfName.has(a.name)) firstOfName.set(a.name, ai);
      if (!firstOfNamespace.has(a.namespace ?? a.name)) firstOfNamespace.set(a.namespace ?? a.name, a);
    }
    config.apps.forEach((a, ai) => {
      if (firstOfKey.get(`${a.namespace ?? a.name}/${a.name}`) !== ai) {
        issue(['apps', ai, 'name'], `is used by another app in namespace ${a.namespace ?? a.name}`);
      }
      // Each app is one dist component `apps-<name>` (one Argo CD application) that creates and
      // prunes its own namespace: two apps may share neither.
      const namespace = a.namespace ?? a.name;
      const sameName = firstOfName.get(a.name) ?? ai;
      if (sameName !== ai && (config.apps[sameName]?.namespace ?? a.name) !== namespace) {
        issue(['apps', ai, 'name'], `is used by another app: the name is the app's component apps-${a.name}`);
      }
      const sameNamespace = firstOfNamespace.get(namespace);
      if (sameNamespace !== undefined && sameNamespace !== a && sameNamespace.name !== a.name) {
        issue(
          ['apps', ai, a.namespace === undefined ? 'name' : 'namespace'],
          `is the namespace of app ${sameNamespace.name}: each app owns its namespace`,
        );
      }
    });
  }
  if (valid(['apps', '*', 'name'], ['apps', '*', 'namespace'])) {
    const appNamespaces = new Set(config.apps.map((a) => a.namespace ?? a.name));
    // A platform of 1,000 apps would print them all: the first ten are enough to spot a typo.
    const sorted = [...appNamespaces].sort();
    const known =
      sorted.length > 10
        ? `${sorted.slice(0, 10).join(', ')} and ${sorted.length - 10} more`
        : sorted.join(', ');
    config.apps.forEach((a, ai) => {
      for (const field of ['ingressFrom', 'egressTo'] as const) {
        const peers = a[field];
        if (!Array.isArray(peers)) continue;
        peers.forEach((peer, pi) => {
          if (peer?.namespace === undefined || !valid(['apps', ai, field, pi, 'namespace'])) return;
          const at = ['apps', ai, field, pi, 'namespace'];
          if (peer.namespace === (a.namespace ?? a.name)) {
            issue(at, `is the app's own namespace, which is always allowed, got ${peer.namespace}`);
          } else if (!appNamespaces.has(peer.namespace)) {
            issue(
              at,
              `must be the namespace of an app of this environment (select other namespaces with namespaceLabels): one of ${known}, got ${peer.namespace}`,
            );
          }
        });
      }
    });
  }
  if (clustersValid && valid(['apps', '*', 'clusters'])) {
    config.apps.forEach((a, ai) => {
      (a.clusters ?? []).forEach((color, ci) => {
        if (!colors.includes(color))
          issue(['apps', ai, 'clusters', ci], `must be a cluster color: one of ${colors.join(', ')}`);
      });
    });
  }
  if (valid(['apps', '*', 'dns'], ['apps', '*', 'name'])) {
    const dnsOwners = { private: new Map<string, string>(), public: new Map<string, string>() };
    config.apps.forEach((a, ai) => {
      for (const kind of ['private', 'public'] as const) {
        const record = a.dns[kind];
        if (record === undefined) continue;
        const owner = dnsOwners[kind].get(record);
        if (owner !== undefined) issue(['apps', ai, 'dns', kind], `is already published by app ${owner}`);
        dnsOwners[kind].set(record, a.name);
        if (!clustersValid || !valid(['dns', kind, 'zone'], ['apps', ai, 'clusters'])) continue;
        // The live name <record>.<zone> and each cluster's <record>.eks-<color>.<zone>.
        const domains = [
          config.dns[kind].zone,
          ...appClusters(config, a)
            .map((color) => config.clusters.find((c) => c.color === color))
            .filter((c) => c !== undefined)
            .map((c) => clusterDnsZones(config, c)[kind]),
        ];
        const problem = domains
          .map((domain) => externalDnsRecordProblem(`${record}.${domain}`))
          .find((p) => p !== undefined);
        if (problem !== undefined) issue(['apps', ai, 'dns', kind], problem);
      }
    });
  }

  if (valid(['apps', '*', 'loadBalancer'], ['apps', '*', 'dns'], ['addons', 'loadBalancerController'])) {
    // An Ingress of class alb is served by the AWS Load Balancer Controller only: without it the
    // Ingress is never reconciled and the app's names get no load balancer
    // (https://kubernetes-sigs.github.io/aws-load-balancer-controller/v3.5/guide/ingress/ingress_class/).
    const controller = config.addons.loadBalancerController.enabled;
    config.apps.forEach((a, ai) => {
      if (a.loadBalancer !== 'alb') return;
      if (!controller) {
        issue(
          ['apps', ai, 'loadBalancer'],
          'must be nlb while addons.loadBalancerController.enabled is false: an ALB Ingress (class alb) is served by the AWS Load Balancer Controller only, got alb',
        );
      } else if (a.dns.private === undefined && a.dns.public === undefined) {
        issue(
          ['apps', ai, 'loadBalancer'],
          'must be nlb (the default) when dns publishes no name: a load balancer serves the names of dns, got alb',
        );
      }
    });
  }

  appAccessRules(config, { valid, issue });
  chartRules(config, { valid, issue });
  appSecretRules(config, { valid, issue });

  if (!valid(['authenticationMode'], ['access'])) {
    // Only the entries that failed are skipped below; a missing or malformed list stops here.
    if (!valid(['authenticationMode']) || !Array.isArray(config.access)) return;
  }
  const mode = config.authenticationMode;
  if (
    mode !== 'CONFIG_MAP' &&
    valid(['access', '*', 'groups']) &&
    !config.access.some((a) => a.groups.includes('system:masters'))
  ) {
    // bootstrap_cluster_creator_admin_permissions is off: without an admin entry nobody, not even
    // the Argo CD bootstrap, could reach the cluster.
    issue(
      ['access'],
      `must map at least one role to system:masters in ${mode} mode: nobody else gets cluster admin`,
    );
  }
  // Entries whose ARN failed are left out, not the whole list.
  const roles = config.access.map((a, i) => (valid(['access', i, 'roleArn']) ? a.roleArn : undefined));
  const keys = roles.map((arn) => (arn === undefined ? undefined : accessEntryKey(arn)));
  roles.forEach((arn, i) => {
    if (arn === undefined) return;
    const same = keys.indexOf(keys[i]);
    if (roles.indexOf(arn) !== i) issue(['access', i, 'roleArn'], 'is mapped twice');
    else if (same !== i) {
      issue(
        ['access', i, 'roleArn'],
        `must name another role than access[${same}].roleArn: IAM role names are unique in an account whatever their path, and both make the access entry ${keys[i]}`,
      );
    }
  });
  const bootstrapRole = valid(['gitops', 'bootstrapRoleArn']) ? config.gitops?.bootstrapRoleArn : undefined;
  if (bootstrapRole !== undefined) {
    if (mode === 'CONFIG_MAP') {
      issue(
        ['gitops', 'bootstrapRoleArn'],
        'is not allowed with authenticationMode CONFIG_MAP: access entries cannot grant it admin, and aws-auth only exists once Argo CD runs; the bootstrap runs as the identity that created the cluster',
      );
    }
    const same = roles.findIndex(
      (arn) =>
        arn !== undefined && arn !== bootstrapRole && accessEntryKey(arn) === accessEntryKey(bootstrapRole),
    );
    if (same !== -1) {
      issue(
        ['gitops', 'bootstrapRoleArn'],
        `must name another role than access[${same}].roleArn: IAM role names are unique in an account whatever their path, and both make the access entry ${accessEntryKey(bootstrapRole)}`,
      );
    }
  }
  if (mode === 'CONFIG_MAP') return;
  config.access.forEach((a, ai) => {
    if (valid(['access', ai, 'username'])) {
      const problem = accessUsernameProblem(a.username);
      if (problem !== undefined) issue(['access', ai, 'username'], problem);
    }
    if (!valid(['access', ai, 'groups'])) return;
    // EKS access entries reject `system:` groups; only system:masters has an equivalent (the
    // AmazonEKSClusterAdminPolicy association). https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
    a.groups.forEach((group, gi) => {
      if (group.startsWith('system:') && group !== 'system:masters') {
        issue(
          ['access', ai, 'groups', gi],
          `cannot be ${group} with authenticationMode ${mode}: access entries reject system: groups (only system:masters, mapped to AmazonEKSClusterAdminPolicy)`,
        );
      }
    });
  });
}

/** At most this many allowed values are listed in a message (an environment may have 2,000 apps). */
const LISTED_VALUES = 10;

function listed(values: readonly string[]): string {
  const shown = values.slice(0, LISTED_VALUES).join(', ');
  return values.length > LISTED_VALUES ? `${shown} and ${values.length - LISTED_VALUES} more` : shown;
}

/**
 * `appAccess` names groups and namespaces that exist: a group no access entry maps has nobody in
 * it (access is the only way this platform puts an IAM role in a group, so a name that is not
 * there is a typo), and a namespace that is not an app's would either create nothing or, for
 * kube-system or argocd, give people the service accounts of the platform itself.
 */
/**
 * The secrets apps declare: only with the operator on (nothing else would create the Secrets, and
 * the pods would never start), only under the prefix its IAM role may read (the ExternalSecret
 * would fail with AccessDenied at sync time), and each Secret name once per app.
 */
function appSecretRules(config: z.output<typeof rootObject>, { valid, issue }: RuleContext): void {
  if (!valid(['apps', '*', 'secrets'], ['addons', 'externalSecrets'])) return;
  const { enabled } = config.addons.externalSecrets;
  const prefix = externalSecretsPrefix(config);
  config.apps.forEach((a, ai) => {
    if (a.secrets.length === 0) return;
    if (!enabled) {
      issue(
        ['apps', ai, 'secrets'],
        'must be empty while addons.externalSecrets.enabled is false: no operator would create the Secrets and the pods would never start',
      );
      return;
    }
    const names = new Set<string>();
    a.secrets.forEach((secret, si) => {
      if (names.has(secret.name)) issue(['apps', ai, 'secrets', si, 'name'], 'is declared twice in this app');
      names.add(secret.name);
      const problem = remoteKeyProblem(secret.remoteKey, prefix);
      if (problem !== undefined) issue(['apps', ai, 'secrets', si, 'remoteKey'], problem);
    });
  });
}

function appAccessRules(config: z.output<typeof rootObject>, { valid, issue }: RuleContext): void {
  // Entries whose fields failed are skipped field by field, not the whole list.
  if (!Array.isArray(config.appAccess)) return;
  const entries = config.appAccess;
  const mapped =
    valid(['access']) && Array.isArray(config.access)
      ? [...new Set(config.access.flatMap((a) => a.groups))].filter((g) => g !== 'system:masters')
      : undefined;
  const appNamespaces = valid(['apps', '*', 'name'], ['apps', '*', 'namespace'])
    ? [...new Set(config.apps.map(appNamespace))]
    : undefined;
  const namespaceSet = new Set(appNamespaces);
  const firstOfGroup = new Map<string, number>();
  entries.forEach((entry, ei) => {
    if (!valid(['appAccess', ei, 'group'])) return;
    const { group } = entry;
    const first = firstOfGroup.get(group);
    if (first === undefined) firstOfGroup.set(group, ei);
    else
      issue(
        ['appAccess', ei, 'group'],
        `is listed twice (also appAccess[${first}]): give one entry all its roles and namespaces`,
      );
    if (group.startsWith('system:')) {
      issue(
        ['appAccess', ei, 'group'],
        'must not be a system: group: system:masters is cluster admin already, and the others (system:authenticated, system:serviceaccounts…) hold more than people',
      );
    } else if (mapped !== undefined && !mapped.includes(group)) {
      issue(
        ['appAccess', ei, 'group'],
        mapped.length === 0
          ? 'must be a group an access entry maps, and access maps none besides system:masters'
          : `must be a group an access entry maps (${listed(mapped)}): nobody else is in it`,
      );
    }
    if (appNamespaces === undefined || !valid(['appAccess', ei, 'namespaces'])) return;
    (entry.namespaces ?? []).forEach((namespace, ni) => {
      if (namespaceSet.has(namespace)) return;
      const why =
        namespace === 'default' || namespace.startsWith('kube-')
          ? `: ${namespace} belongs to Kubernetes`
          : namespace === ARGOCD.namespace
            ? `: ${namespace} belongs to Argo CD, whose controller is cluster admin`
            : '';
      issue(
        ['appAccess', ei, 'namespaces', ni],
        appNamespaces.length === 0
          ? `must be the namespace of an app, and the environment has none${why}`
          : `must be the namespace of an app of this environment (${listed(appNamespaces)})${why}`,
      );
    });
  });
}

/**
 * `charts` entries: unique names, known cluster colors, a namespace that is the chart's to use,
 * an IAM role name within IAM's limit on every cluster, and values that reference the role.
 */
function chartRules(config: z.output<typeof rootObject>, { valid, issue }: RuleContext): void {
  if (!Array.isArray(config.charts)) return;
  const colors = valid(['clusters', '*', 'color']) ? config.clusters.map((c) => c.color) : undefined;
  const appNamespaces = valid(['apps', '*', 'name'], ['apps', '*', 'namespace'])
    ? new Map(config.apps.map((a) => [appNamespace(a), a.name]))
    : undefined;
  // Add-on namespaces other than kube-system are created and pruned with their add-on.
  const addonNamespaces = new Map(
    Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>)
      .filter((a) => !isSystemNamespace(a.namespace))
      .map((a) => [a.namespace, a.component]),
  );
  const firstOfName = new Map<string, number>();
  config.charts.forEach((c, ci) => {
    if (valid(['charts', ci, 'name'])) {
      // The cluster's own AppProject is named <environment>-<color> (argoCdProject in names.ts).
      if (valid(['name'], ['clusters', '*', 'color'])) {
        const clash = config.clusters.find((k) => clusterName(config, k) === chartApplication(c));
        if (clash !== undefined) {
          issue(
            ['charts', ci, 'name'],
            `makes the AppProject ${chartApplication(c)}, the name of cluster ${clash.color}'s own AppProject`,
          );
        }
      }
      const first = firstOfName.get(c.name);
      if (first !== undefined)
        issue(['charts', ci, 'name'], `is used by charts[${first}]: names must be unique`);
      else firstOfName.set(c.name, ci);
    }
    if (colors !== undefined && valid(['charts', ci, 'clusters'])) {
      (c.clusters ?? []).forEach((color, i) => {
        if (!colors.includes(color)) {
          issue(['charts', ci, 'clusters', i], `must be a cluster color: one of ${colors.join(', ')}`);
        }
      });
    }
    const namespaces: [readonly Key[], string][] = [];
    if (valid(['charts', ci, 'namespace'])) namespaces.push([['charts', ci, 'namespace'], c.namespace]);
    if (valid(['charts', ci, 'otherNamespaces'])) {
      c.otherNamespaces.forEach((namespace, ni) => {
        const at = ['charts', ci, 'otherNamespaces', ni];
        if (namespace === c.namespace || c.otherNamespaces.indexOf(namespace) !== ni) {
          issue(at, `is listed twice (namespace or otherNamespaces), got ${namespace}`);
        } else namespaces.push([at, namespace]);
      });
    }
    for (const [at, namespace] of namespaces) {
      if (namespace === ARGOCD.namespace) {
        issue(
          at,
          `must not be ${ARGOCD.namespace}: it belongs to Argo CD, whose controller is cluster admin, and an Application or AppProject there would widen what Argo CD deploys`,
        );
      }
      const app = appNamespaces?.get(namespace);
      if (app !== undefined) {
        issue(
          at,
          `must not be the namespace of app ${app}: the app creates and prunes it, and its NetworkPolicies deny the chart's ingress`,
        );
      }
      const addon = addonNamespaces.get(namespace);
      if (addon !== undefined) {
        issue(at, `must not be the namespace of add-on ${addon}, which creates and prunes it`);
      }
    }
    if (!valid(['charts', ci, 'iam'], ['charts', ci, 'values'])) return;
    const usesRole = valuesUsePlaceholder(c.values);
    if (c.iam === undefined) {
      if (usesRole) {
        issue(
          ['charts', ci, 'values'],
          `write ${IAM_ROLE_ARN_PLACEHOLDER} only with iam: the chart has no IAM role whose ARN it could be`,
        );
      }
      return;
    }
    if (!usesRole) {
      issue(
        ['charts', ci, 'values'],
        `must write ${IAM_ROLE_ARN_PLACEHOLDER} where the chart takes its role ARN (such as serviceAccount.annotations: { eks.amazonaws.com/role-arn: ${IAM_ROLE_ARN_PLACEHOLDER} }): without it no pod gets the role`,
      );
    }
    if (!valid(['name'], ['clusters', '*', 'color'], ['charts', ci, 'name'], ['charts', ci, 'clusters']))
      return;
    for (const color of chartClusters(config, c)) {
      const role = chartIrsaRoleName(config, { color }, c);
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
      if (role.length > 64) {
        issue(
          ['charts', ci, 'name'],
          `must be shorter: its IAM role ${role} has ${role.length} characters, IAM allows 64`,
        );
        break;
      }
    }
  });
}

/** A validated environment, defaults filled. */
export type PlatformConfig = z.output<typeof platformSchema>;
export type ClusterConfig = PlatformConfig['clusters'][number];
export type NodeGroupConfig = ClusterConfig['nodeGroups'][number];
export type AppConfig = PlatformConfig['apps'][number];
export type HelmChartConfig = PlatformConfig['charts'][number];
export type TaintConfig = NodeGroupConfig['taints'][number];

/** The JSON Schema of the YAML files, for editors (`yaml-language-server`) and docs/configuration.md. */
export function platformJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(platformSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://eks-platform.local/config/schema.json',
    title: 'EKS platform environment',
    description:
      'One environment of the EKS platform: its network, DNS zones, clusters, node groups, add-ons and apps. One file per environment under config/, named after the environment.',
  };
}
