/**
 * The platform configuration (DESIGN §4): one YAML file per environment, validated here.
 * The zod schema is the single source of the TypeScript types, the defaults, the cross-field
 * rules and the JSON Schema in config/schema.json.
 */
import { z } from 'zod';
import {
  cronProblem,
  dnsLabelProblem,
  dnsNameProblem,
  httpsOrSshUrlProblem,
  labelValueProblem,
  nodeLabelKeyProblem,
  pinnedImageProblem,
  timeZoneProblem,
} from './formats';
import { INSTANCE_TYPE_NAMES, instanceTypesProblem, unknownInstanceTypeProblem } from './instance-types';
import { ARGOCD } from './names';
import { MAX_VPC_PREFIX, MIN_VPC_PREFIX, parseCidr, ZONE_SLOTS } from './network';
import { CPU_FORMAT, MEMORY_FORMAT, parseCpu, parseMemory } from './quantity';
import { SUPPORTED_KUBERNETES_VERSIONS } from './versions';

/** A string checked by one of the `…Problem` functions of formats.ts. */
function checked(problem: (value: string) => string | undefined, description: string) {
  return z
    .string()
    .check((ctx) => {
      const message = problem(ctx.value);
      if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
    })
    .meta({ description });
}

const dnsLabel = (max = 63) =>
  checked((v) => dnsLabelProblem(v, max), `DNS label, at most ${max} characters`);
const dnsName = checked(dnsNameProblem, 'DNS name, such as devinfra.local');
const accountId = z
  .string({ error: 'must be a quoted string of 12 digits, such as "111111111111"' })
  .regex(/^\d{12}$/, 'must be an AWS account id of exactly 12 digits, quoted');
const region = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'must be an AWS region such as ca-central-1');
const cidr = z
  .string()
  .check((ctx) => {
    const parsed = parseCidr(ctx.value);
    if (typeof parsed === 'string') ctx.issues.push({ code: 'custom', message: parsed, input: ctx.value });
  })
  .meta({ description: 'IPv4 CIDR, such as 10.20.0.0/16' });
const cpu = z.string().refine((v) => parseCpu(v) !== undefined, `must be ${CPU_FORMAT}`);
const memory = z.string().refine((v) => parseMemory(v) !== undefined, `must be ${MEMORY_FORMAT}`);
const labels = z
  .record(
    checked(nodeLabelKeyProblem, 'label key'),
    z.string().check((ctx) => {
      const message = labelValueProblem(ctx.value);
      if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
    }),
  )
  .default({});

const taint = z.strictObject({
  key: checked(nodeLabelKeyProblem, 'taint key'),
  value: z.string().default(''),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const offHours = z
  .strictObject({
    stop: checked(cronProblem, '5-field cron: when the group scales to zero').meta({
      examples: ['0 20 * * 1-5'],
    }),
    start: checked(cronProblem, '5-field cron: when the group scales back to its sizes').meta({
      examples: ['0 7 * * 1-5'],
    }),
    timeZone: checked(timeZoneProblem, 'IANA time zone of the two schedules, such as America/Toronto'),
  })
  .meta({ description: 'Scale the group to zero outside working hours. Not allowed on essential groups.' });

const nodeGroup = z
  .strictObject({
    name: dnsLabel(20),
    instanceTypes: z
      .array(
        z
          .string()
          .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
            message: 'must be an EC2 instance type such as m6i.large',
            abort: true,
          })
          .check((ctx) => {
            const message = unknownInstanceTypeProblem(ctx.value);
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
          'EC2 instance types of the group, from the catalog in platform/instance-types.ts. They must share architecture, accelerator, vCPU and memory; the AMI type (STANDARD, NVIDIA or NEURON) follows from them.',
      }),
    capacityType: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND'),
    lifecycle: z
      .enum(['essential', 'spot'])
      .optional()
      .meta({ description: 'Node lifecycle label. @default spot for SPOT capacity, essential otherwise' }),
    minSize: z.int().min(0),
    maxSize: z.int().min(1).max(450),
    desiredSize: z.int().min(0).optional().meta({ description: '@default minSize' }),
    maxUnavailable: z.int().min(1).max(100).default(1).meta({
      description: 'Nodes replaced at a time during a node upgrade (update_config.max_unavailable)',
    }),
    diskSizeGiB: z.int().min(20).max(16384).default(50),
    perAz: z.boolean().default(true).meta({
      description: 'One managed node group per availability zone, so cluster-autoscaler can balance zones',
    }),
    availabilityZones: z
      .array(z.string())
      .default([])
      .meta({ description: 'Subset of network.availabilityZones. @default every zone of the network' }),
    labels,
    taints: z.array(taint).default([]),
    releaseVersion: z
      .string()
      .regex(
        /^(\d+\.\d+\.\d+-\d{8})?$/,
        'must be empty or an EKS AMI release version such as 1.34.2-20251112',
      )
      .default('')
      .meta({ description: 'AMI release pin; empty means the latest release at creation time' }),
    offHours: offHours.optional(),
  })
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

const cluster = z.strictObject({
  color: dnsLabel(12).meta({ description: 'Cluster name is <environment>-<color>' }),
  kubernetesVersion: z
    .string({ error: 'must be a quoted string such as "1.34" (YAML reads 1.30 as the number 1.3)' })
    .refine(
      (v) => (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(v),
      `must be one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
    ),
  endpoint: z
    .strictObject({
      publicAccess: z.boolean().default(false),
      publicAccessCidrs: z.array(cidr).default([]),
    })
    .prefault({}),
  logRetentionDays: z
    .int()
    .refine(
      (days) => LOG_RETENTION_DAYS.includes(days),
      `must be a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`,
    )
    .default(90)
    .meta({ description: 'Retention of the control-plane logs, in days' }),
  nodeGroups: z.array(nodeGroup).min(1, 'must define at least one node group'),
});

const toleration = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(['Equal', 'Exists']).default('Equal'),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
});

const app = z.strictObject({
  name: dnsLabel(40),
  namespace: dnsLabel(63).optional().meta({ description: '@default the app name' }),
  team: dnsLabel(63)
    .optional()
    .meta({ description: 'Owning team, a label on the namespace. @default the app name' }),
  image: checked(pinnedImageProblem, 'Image pinned by tag or digest'),
  port: z.int().min(1).max(65535),
  healthPath: z.string().regex(/^\//, 'must be an absolute HTTP path such as /healthz').default('/healthz'),
  replicas: z.strictObject({
    min: z.int().min(1),
    max: z.int().min(1),
    targetCpuPercent: z.int().min(1).max(100).default(70),
  }),
  resources: z.strictObject({
    cpu,
    memory,
    cpuLimit: cpu.optional().meta({ description: '@default no CPU limit (throttling hurts latency)' }),
    memoryLimit: memory.optional().meta({ description: '@default equal to memory' }),
  }),
  placement: z.enum(['essential', 'spot', 'any']).default('any'),
  tolerations: z.array(toleration).default([]),
  dns: z
    .strictObject({ private: dnsLabel(63).optional(), public: dnsLabel(63).optional() })
    .default({})
    .meta({ description: 'Record names published by external-dns under the private and public zones' }),
  clusters: z
    .array(z.string())
    .optional()
    .meta({ description: 'Colors of the clusters that run the app. @default every cluster' }),
});

const hostedZone = z.strictObject({
  zone: dnsName,
  zoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABC'),
});

const accessEntry = z.strictObject({
  roleArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
      'must be an IAM role ARN such as arn:aws:iam::111111111111:role/k8sadmin',
    ),
  username: z.string().min(1).max(256),
  groups: z.array(z.string().min(1)).min(1, 'must list at least one Kubernetes group'),
});

export const platformSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'must start with a letter and use only lowercase letters, digits and -')
      .max(16, 'must be at most 16 characters'),
    account: accountId,
    region,
    tags: z.record(z.string(), z.string()).default({}),
    network: z.strictObject({
      cidr,
      availabilityZones: z
        .array(z.string())
        .min(2, 'must list at least two zones: EKS requires subnets in two'),
      natGateways: z.enum(['single', 'perAz']).default('single'),
    }),
    dns: z.strictObject({ private: hostedZone, public: hostedZone }),
    ecr: z.strictObject({ account: accountId, region }).optional().meta({
      description: 'Account and region of the image repositories. @default the environment account',
    }),
    authenticationMode: z.enum(['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP']).default('API'),
    access: z.array(accessEntry).default([]),
    gitops: z.strictObject({
      repoURL: checked(httpsOrSshUrlProblem, 'Git repository Argo CD syncs dist/ from'),
      revision: z.string().min(1).default('main'),
    }),
    backend: z
      .strictObject({
        s3: z.strictObject({
          bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
          region,
          keyPrefix: z
            .string()
            .default('eks-platform')
            .meta({ description: 'State key is <keyPrefix>/<stack>.tfstate' }),
        }),
      })
      .optional()
      .meta({ description: 'Terraform state backend. @default a local backend' }),
    live: z.string().meta({ description: 'Color of the cluster that serves the production DNS names' }),
    clusters: z.array(cluster).min(1, 'must define at least one cluster'),
    addons: z
      .strictObject({
        clusterAutoscaler: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
        externalDns: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
        metricsServer: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
        overprovisioning: z
          .strictObject({
            enabled: z.boolean().default(false),
            cpu: cpu.default('1'),
            memory: memory.default('2Gi'),
            coresPerReplica: z.int().min(1).default(20),
            nodesPerReplica: z.int().min(1).default(6),
            min: z.int().min(0).default(1),
            max: z.int().min(1).default(10),
            preventSinglePointFailure: z.boolean().default(true),
          })
          .prefault({}),
      })
      .prefault({}),
    apps: z.array(app).default([]),
  })
  .superRefine((config, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });

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

    const vpc = parseCidr(config.network.cidr);
    if (typeof vpc !== 'string' && (vpc.prefix < MIN_VPC_PREFIX || vpc.prefix > MAX_VPC_PREFIX)) {
      issue(
        ['network', 'cidr'],
        `must have a prefix from /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}: each zone gets a private subnet of 1/16 and a public subnet of 1/256 of it`,
      );
    }

    const colors = config.clusters.map((c) => c.color);
    if (!colors.includes(config.live)) {
      issue(['live'], `must name a cluster color: one of ${colors.join(', ')}`);
    }
    config.clusters.forEach((c, ci) => {
      if (colors.indexOf(c.color) !== ci) issue(['clusters', ci, 'color'], 'is used by another cluster');
      // Stacks are named <env>-network, <env>-live-dns, <env>-<color> and <env>-<color>-bootstrap.
      if (c.color === 'network' || c.color === 'live-dns' || c.color.endsWith('-bootstrap')) {
        issue(
          ['clusters', ci, 'color'],
          'must not be network, live-dns or end with -bootstrap: <environment>-<color> would be the name of another Terraform stack',
        );
      }
      if (c.endpoint.publicAccess && c.endpoint.publicAccessCidrs.length === 0) {
        issue(
          ['clusters', ci, 'endpoint', 'publicAccessCidrs'],
          'must list the CIDRs allowed to reach a public endpoint (write 0.0.0.0/0 to open it to all)',
        );
      }
      if (!c.endpoint.publicAccess && c.endpoint.publicAccessCidrs.length > 0) {
        issue(['clusters', ci, 'endpoint', 'publicAccessCidrs'], 'must be empty when publicAccess is false');
      }
      const groupNames = c.nodeGroups.map((g) => g.name);
      c.nodeGroups.forEach((g, gi) => {
        const at = ['clusters', ci, 'nodeGroups', gi];
        if (groupNames.indexOf(g.name) !== gi)
          issue([...at, 'name'], `is used by another node group of cluster ${c.color}`);
        if (g.minSize > g.maxSize) issue([...at, 'maxSize'], `must be >= minSize (${g.minSize})`);
        if (g.desiredSize < g.minSize || g.desiredSize > g.maxSize) {
          issue([...at, 'desiredSize'], `must be between minSize (${g.minSize}) and maxSize (${g.maxSize})`);
        }
        if (g.lifecycle === 'essential' && g.capacityType === 'SPOT') {
          issue(
            [...at, 'lifecycle'],
            'must be spot when capacityType is SPOT: spot capacity can be reclaimed at any time',
          );
        }
        if (g.offHours && g.lifecycle === 'essential') {
          issue(
            [...at, 'offHours'],
            'is not allowed on an essential node group: essential nodes run around the clock',
          );
        }
        g.availabilityZones.forEach((zone, zi) => {
          if (!zones.includes(zone)) {
            issue(
              [...at, 'availabilityZones', zi],
              `must be one of network.availabilityZones: ${zones.join(', ')}`,
            );
          }
        });
        g.taints.forEach((t, ti) => {
          if (g.taints.findIndex((o) => o.key === t.key && o.effect === t.effect) !== ti) {
            issue([...at, 'taints', ti], `repeats the taint ${t.key}:${t.effect}`);
          }
          // cluster-autoscaler learns a group's taints from one ASG tag per key, holding one
          // value:effect (https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup).
          const sameKey = g.taints.findIndex((o) => o.key === t.key);
          if (sameKey !== ti && g.taints.findIndex((o) => o.key === t.key && o.effect === t.effect) === ti) {
            issue(
              [...at, 'taints', ti],
              `repeats the taint key ${t.key} (also taints[${sameKey}]): cluster-autoscaler can hint one effect per key when scaling from zero`,
            );
          }
        });
      });
    });

    const appKeys = config.apps.map((a) => `${a.namespace ?? a.name}/${a.name}`);
    const dnsOwners = { private: new Map<string, string>(), public: new Map<string, string>() };
    config.apps.forEach((a, ai) => {
      if (appKeys.indexOf(appKeys[ai] ?? '') !== ai) {
        issue(['apps', ai, 'name'], `is used by another app in namespace ${a.namespace ?? a.name}`);
      }
      if (a.replicas.min > a.replicas.max)
        issue(['apps', ai, 'replicas', 'max'], `must be >= replicas.min (${a.replicas.min})`);
      (a.clusters ?? []).forEach((color, ci) => {
        if (!colors.includes(color))
          issue(['apps', ai, 'clusters', ci], `must be a cluster color: one of ${colors.join(', ')}`);
      });
      const request = parseMemory(a.resources.memory) ?? 0;
      if (a.resources.memoryLimit !== undefined && (parseMemory(a.resources.memoryLimit) ?? 0) < request) {
        issue(['apps', ai, 'resources', 'memoryLimit'], `must be >= memory (${a.resources.memory})`);
      }
      if (
        a.resources.cpuLimit !== undefined &&
        (parseCpu(a.resources.cpuLimit) ?? 0) < (parseCpu(a.resources.cpu) ?? 0)
      ) {
        issue(['apps', ai, 'resources', 'cpuLimit'], `must be >= cpu (${a.resources.cpu})`);
      }
      for (const kind of ['private', 'public'] as const) {
        const record = a.dns[kind];
        if (record === undefined) continue;
        const owner = dnsOwners[kind].get(record);
        if (owner !== undefined) issue(['apps', ai, 'dns', kind], `is already published by app ${owner}`);
        dnsOwners[kind].set(record, a.name);
      }
      // Each app is one dist component `apps-<name>` (one Argo CD application) that creates and
      // prunes its own namespace: two apps may share neither.
      const namespace = a.namespace ?? a.name;
      const sameName = config.apps.findIndex((o) => o.name === a.name);
      if (sameName !== ai && (config.apps[sameName]?.namespace ?? a.name) !== namespace) {
        issue(['apps', ai, 'name'], `is used by another app: the name is the app's component apps-${a.name}`);
      }
      const sameNamespace = config.apps.find((o) => (o.namespace ?? o.name) === namespace);
      if (sameNamespace !== undefined && sameNamespace !== a && sameNamespace.name !== a.name) {
        issue(
          ['apps', ai, a.namespace === undefined ? 'name' : 'namespace'],
          `is the namespace of app ${sameNamespace.name}: each app owns its namespace`,
        );
      }
      // https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
      if (namespace === 'default' || namespace.startsWith('kube-')) {
        issue(
          ['apps', ai, a.namespace === undefined ? 'name' : 'namespace'],
          `gives the namespace ${namespace}, which belongs to Kubernetes (default, kube-*): an app's namespace is created and pruned with the app`,
        );
      }
      if (namespace === ARGOCD.namespace) {
        issue(
          ['apps', ai, a.namespace === undefined ? 'name' : 'namespace'],
          `gives the namespace ${ARGOCD.namespace}, which belongs to Argo CD: its Helm release creates it`,
        );
      }
      a.tolerations.forEach((t, ti) => {
        if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
          issue(
            ['apps', ai, 'tolerations', ti, 'value'],
            'must be empty when operator is Exists (Exists matches every value of the key)',
          );
        }
      });
    });

    if (
      config.authenticationMode !== 'CONFIG_MAP' &&
      !config.access.some((a) => a.groups.includes('system:masters'))
    ) {
      // bootstrap_cluster_creator_admin_permissions is off: without an admin entry nobody, not even
      // the Argo CD bootstrap, could reach the cluster.
      issue(
        ['access'],
        `must map at least one role to system:masters in ${config.authenticationMode} mode: nobody else gets cluster admin`,
      );
    }
    const roles = config.access.map((a) => a.roleArn);
    roles.forEach((arn, i) => {
      if (roles.indexOf(arn) !== i) issue(['access', i, 'roleArn'], 'is mapped twice');
    });
    // EKS access entries reject `system:` groups; only system:masters has an equivalent (the
    // AmazonEKSClusterAdminPolicy association). https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
    if (config.authenticationMode !== 'CONFIG_MAP') {
      config.access.forEach((a, ai) => {
        a.groups.forEach((group, gi) => {
          if (group.startsWith('system:') && group !== 'system:masters') {
            issue(
              ['access', ai, 'groups', gi],
              `cannot be ${group} with authenticationMode ${config.authenticationMode}: access entries reject system: groups (only system:masters, mapped to AmazonEKSClusterAdminPolicy)`,
            );
          }
        });
      });
    }
  });

/** A validated environment, defaults filled. */
export type PlatformConfig = z.output<typeof platformSchema>;
export type ClusterConfig = PlatformConfig['clusters'][number];
export type NodeGroupConfig = ClusterConfig['nodeGroups'][number];
export type AppConfig = PlatformConfig['apps'][number];
export type TaintConfig = NodeGroupConfig['taints'][number];

/** The JSON Schema of the YAML files, for editors (`yaml-language-server`). */
export function platformJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(platformSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://eks-platform.local/config/schema.json',
    title: 'EKS platform environment',
  };
}
