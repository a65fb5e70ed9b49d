import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  AWS_NAME_LIMITS,
  AWS_TAG,
  EKS_AUTO_SCALING_GROUP_TAGS,
  externalDnsRecordProblem,
  NODE_LABEL_KEY_LIMIT,
  qualifiedNameProblem,
  TAINT_KEY_LIMIT,
} from '../../platform/limits';
import { ConfigError, parseConfig } from '../../platform/load';
import {
  IRSA_ADDONS,
  NODE_TEMPLATE_LABEL_TAG_PREFIX,
  NODE_TEMPLATE_TAINT_TAG_PREFIX,
} from '../../platform/names';
import { configDir, runCli, snapshotTree, tempDir } from '../cli/run-cli';
import { fixtureText, renderConfigs } from '../helpers';

type Raw = Record<string, any>;

function prod(edit: (raw: Raw) => void): string {
  const raw = parse(fixtureText('prod')) as Raw;
  edit(raw);
  return stringify(raw);
}

/** The problems parseConfig reports for the prod fixture after `edit`, one formatted line each. */
function problems(edit: (raw: Raw) => void): string[] {
  try {
    parseConfig(prod(edit), 'prod.yaml', 'prod');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

const x = (n: number, c = 'a') => c.repeat(n);

const cases: { name: string; edit: (raw: Raw) => void; message: string }[] = [
  {
    name: 'rejects a node label key longer than EKS allows',
    edit: (r) => (r.clusters[0].nodeGroups[1].labels = { [x(317)]: 'yes' }),
    message: `prod.yaml: clusters[0].nodeGroups[1].labels.${x(317)}: must be at most 63 characters (EKS managed node group label key), got 317 characters`,
  },
  {
    name: 'rejects a node label key whose prefix is not a DNS subdomain',
    edit: (r) => (r.clusters[0].nodeGroups[1].labels = { 'Example.com/tier': 'web' }),
    message:
      'prod.yaml: clusters[0].nodeGroups[1].labels.Example.com/tier: must have a DNS subdomain of at most 253 characters before the "/" (Kubernetes label key)',
  },
  {
    name: 'rejects an empty node label value, which EKS refuses',
    edit: (r) => (r.clusters[0].nodeGroups[1].labels = { tier: '' }),
    message:
      'prod.yaml: clusters[0].nodeGroups[1].labels.tier: must not be empty (EKS managed node group label values are 1 to 63 characters), got ""',
  },
  {
    name: 'rejects a node label value longer than 63 characters',
    edit: (r) => (r.clusters[0].nodeGroups[1].labels = { tier: x(64) }),
    message:
      'prod.yaml: clusters[0].nodeGroups[1].labels.tier: must be at most 63 characters (Kubernetes label value; EKS refuses longer), got 64 characters',
  },
  {
    name: 'rejects a taint key longer than EKS allows',
    edit: (r) => (r.clusters[0].nodeGroups[2].taints[0].key = x(317)),
    message:
      'prod.yaml: clusters[0].nodeGroups[2].taints[0].key: must be at most 63 characters (EKS managed node group taint key), got 317 characters',
  },
  {
    name: 'rejects a taint value that is not a label value',
    edit: (r) => (r.clusters[0].nodeGroups[2].taints[0].value = 'state ful'),
    message:
      "prod.yaml: clusters[0].nodeGroups[2].taints[0].value: must be empty or a Kubernetes label value: letters, digits, '-', '_' or '.', starting and ending with a letter or digit, got \"state ful\"",
  },
  {
    name: 'rejects more node labels than the Auto Scaling group tags can carry for cluster-autoscaler',
    edit: (r) =>
      (r.clusters[0].nodeGroups[1].labels = Object.fromEntries(
        Array.from({ length: 44 }, (_, i) => [`label-${i}`, 'yes']),
      )),
    message: `prod.yaml: clusters[0].nodeGroups[1].labels: must leave room on the group's Auto Scaling group, which holds at most 50 tags (AWS tag limit): its 46 node labels and 0 taints become cluster-autoscaler node-template tags next to ${EKS_AUTO_SCALING_GROUP_TAGS} tags from EKS, got 51 tags`,
  },
  {
    name: 'rejects an AWS tag key with the reserved aws: prefix',
    edit: (r) => (r.tags['AWS:owner'] = 'platform'),
    message: 'prod.yaml: tags.AWS:owner: must not start with aws: (AWS reserves the prefix for its own tags)',
  },
  {
    name: 'rejects an AWS tag key longer than 128 characters',
    edit: (r) => (r.tags[x(129, 'k')] = 'v'),
    message: `prod.yaml: tags.${x(129, 'k')}: must be at most 128 characters (AWS tag key), got 129 characters`,
  },
  {
    name: 'rejects an AWS tag value longer than 256 characters',
    edit: (r) => (r.tags.owner = x(257, 'v')),
    message: 'prod.yaml: tags.owner: must be at most 256 characters (AWS tag value), got 257 characters',
  },
  {
    name: 'rejects an AWS tag with characters AWS does not allow',
    edit: (r) => (r.tags['cost#center'] = '4200'),
    message:
      'prod.yaml: tags.cost#center: must use only letters, digits, spaces and _ . : / = + - @ (AWS tag key)',
  },
  {
    name: 'rejects more tags than a subnet can carry next to the tags the platform adds',
    edit: (r) => (r.tags = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`tag-${i}`, 'v']))),
    message:
      'prod.yaml: tags: must hold at most 46 tags: AWS allows 50 per resource and the platform adds 4 to each subnet (Name, the load balancer role, one kubernetes.io/cluster tag per cluster), got 47',
  },
  {
    name: 'rejects an app record whose external-dns TXT ownership record exceeds a DNS label',
    edit: (r) => (r.apps[0].dns.public = x(58, 'w')),
    message: `prod.yaml: apps[0].dns.public: must be at most 57 characters: external-dns names its TXT ownership record cname-${x(58, 'w')}, and DNS labels are at most 63 (Route 53), got 58 characters`,
  },
  {
    name: 'rejects an app record whose full name exceeds the 253 characters of a DNS name',
    edit: (r) => (r.dns.public.zone = Array.from({ length: 4 }, () => x(58, 'z')).join('.')),
    message: `prod.yaml: apps[0].dns.public: makes the external-dns TXT ownership record ${`cname-www.eks-blue.${x(58, 'z')}`.slice(0, 40)}… of 254 characters: Route 53 names are at most 253, got "www"`,
  },
  {
    name: 'rejects a hosted zone too long for the cluster DNS zone under it',
    edit: (r) => (r.dns.private.zone = Array.from({ length: 4 }, () => x(61, 'p')).join('.')),
    message: `prod.yaml: dns.private.zone: makes the DNS zone of cluster blue ${`eks-blue.${x(61, 'p')}`.slice(0, 40)}… of 256 characters: Route 53 names are at most 253`,
  },
  {
    name: 'rejects an app name starting with a digit, which Kubernetes refuses as a Service name',
    edit: (r) => (r.apps[0].name = '1web'),
    message:
      'prod.yaml: apps[0].name: must start with a letter: it names Kubernetes Services, which must be RFC 1035 labels, got "1web"',
  },
  {
    name: 'rejects an AMI release of another Kubernetes minor than the cluster',
    edit: (r) => (r.clusters[1].nodeGroups[2].releaseVersion = '1.34.2-20251112'),
    message:
      'prod.yaml: clusters[1].nodeGroups[2].releaseVersion: must be an AMI release of the cluster\'s Kubernetes 1.35 (EKS refuses a release of 1.34 on a 1.35 node group): clear it or pin a 1.35.x release, got "1.34.2-20251112"',
  },
  {
    name: 'rejects an overprovisioning min above its max',
    edit: (r) => Object.assign(r.addons.overprovisioning, { min: 7, max: 6 }),
    message: 'prod.yaml: addons.overprovisioning.max: must be >= min (7), got 6',
  },
  {
    name: 'rejects an access entry username with a prefix EKS reserves',
    edit: (r) => (r.access[1].username = 'eks:readwrite'),
    message:
      'prod.yaml: access[1].username: must not start with "eks:": EKS access entries refuse usernames starting with system:, eks:, aws:, amazon:, iam:, got "eks:readwrite"',
  },
  {
    name: 'rejects a state key prefix too long for an S3 object key',
    edit: (r) => (r.backend.s3.keyPrefix = x(1000, 'p')),
    message: `prod.yaml: backend.s3.keyPrefix: must be at most 995 characters: the state key <keyPrefix>/<stack>.tfstate must fit the 1024 characters of an S3 object key`,
  },
  {
    name: 'rejects more than 50 taints on a node group',
    edit: (r) =>
      (r.clusters[0].nodeGroups[2].taints = Array.from({ length: 51 }, (_, i) => ({
        key: `taint-${i}`,
        effect: 'NoSchedule',
      }))),
    message:
      'prod.yaml: clusters[0].nodeGroups[2].taints: must hold at most 50 taints (EKS managed node group limit), got 51',
  },
  {
    name: 'rejects label keys that would share a Terraform resource name',
    edit: (r) => (r.clusters[0].nodeGroups[1].labels = { 'team.io/tier': 'web', team_io_tier: 'api' }),
    message:
      'prod.yaml: clusters[0].nodeGroups[1].labels.team_io_tier: must differ from team.io/tier by more than characters Terraform resource names replace with _ (both make team_io_tier), got team_io_tier',
  },
  {
    name: 'rejects two node groups that make the same EKS managed node group',
    edit: (r) =>
      r.clusters[0].nodeGroups.push({ ...r.clusters[0].nodeGroups[0], name: 'essential-a', perAz: false }),
    message:
      'prod.yaml: clusters[0].nodeGroups[3].name: must not make the EKS managed node group prod-blue-essential-a that node group essential makes too (names are <cluster>-<group>-<zone letter> per zone), got essential-a',
  },
  {
    name: 'rejects an access role whose name is longer than IAM allows',
    edit: (r) => (r.access[2].roleArn = `arn:aws:iam::111111111111:role/${x(65, 'r')}`),
    message: 'prod.yaml: access[2].roleArn: must name a role of at most 64 characters (IAM role name limit)',
  },
  {
    name: 'rejects two access roles of the same name under different paths',
    edit: (r) => (r.access[1].roleArn = 'arn:aws:iam::111111111111:role/team/k8sadmin'),
    message:
      'prod.yaml: access[1].roleArn: must name another role than access[0].roleArn: IAM role names are unique in an account whatever their path, and both make the access entry 111111111111-k8sadmin, got "arn:aws:iam::111111111111:role/team/k8sadmin"',
  },
];

describe('deploy-time limits refused at load', () => {
  it.each(cases)('$name', ({ edit, message }) => {
    // A long value is quoted truncated after the message: compare the message alone.
    expect(problems(edit).map((p) => p.replace(/, got "[^"]*\.\.\.$/, ''))).toContainEqual(message);
  });

  it('fails the command with exit 2 and writes nothing for a limit AWS enforces at deploy time', () => {
    const dist = tempDir('dist');
    const before = snapshotTree(dist);
    const result = runCli([
      'synth',
      '--config',
      configDir({ 'prod.yaml': prod((r) => (r.clusters[0].nodeGroups[1].labels = { [x(70)]: 'yes' })) }),
      '--dist',
      dist,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `prod.yaml: clusters[0].nodeGroups[1].labels.${x(70)}: must be at most 63 characters (EKS managed node group label key), got 70 characters`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshotTree(dist)).toEqual(before);
  });

  it('accepts a taint without a value, which EKS allows', () => {
    expect(problems((r) => delete r.clusters[0].nodeGroups[2].taints[0].value)).toEqual([]);
  });

  it('keeps every cluster-autoscaler node-template tag key within the AWS tag key limit', () => {
    expect(NODE_TEMPLATE_LABEL_TAG_PREFIX.length + NODE_LABEL_KEY_LIMIT.max).toBeLessThanOrEqual(
      AWS_TAG.maxKey,
    );
    expect(NODE_TEMPLATE_TAINT_TAG_PREFIX.length + TAINT_KEY_LIMIT.max).toBeLessThanOrEqual(AWS_TAG.maxKey);
  });
});

describe('one run reports every problem of a file', () => {
  it('reports a node group whose minSize is above its maxSize next to a region of the wrong type', () => {
    expect(
      problems((r) => {
        r.region = 42;
        Object.assign(r.clusters[1].nodeGroups[0], { minSize: 3, maxSize: 2, desiredSize: 2 });
      }),
    ).toEqual([
      'prod.yaml: region: must be a string, got 42',
      'prod.yaml: clusters[1].nodeGroups[0].maxSize: must be >= minSize (3), got 2',
      'prod.yaml: clusters[1].nodeGroups[0].desiredSize: must be between minSize (3) and maxSize (2), got 2',
    ]);
  });

  it('reports app, cluster and root rules while another node group field is invalid', () => {
    const found = problems((r) => {
      r.clusters[0].nodeGroups[0].diskSizeGiB = 'big';
      r.apps[0].replicas.min = 20;
      r.clusters[1].endpoint = { publicAccess: true };
      r.live = 'purple';
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'prod.yaml: clusters[0].nodeGroups[0].diskSizeGiB: must be a number, got "big"',
        'prod.yaml: apps[0].replicas.max: must be >= replicas.min (20), got 10',
        'prod.yaml: clusters[1].endpoint.publicAccessCidrs: must list the CIDRs allowed to reach a public endpoint (write 0.0.0.0/0 to open it to all)',
        'prod.yaml: live: must name a cluster color: one of blue, green, got "purple"',
      ]),
    );
    expect(found).toHaveLength(4);
  });

  it('does not run a rule on a field that already failed', () => {
    expect(problems((r) => (r.clusters[0].nodeGroups[0].maxSize = 'four'))).toEqual([
      'prod.yaml: clusters[0].nodeGroups[0].maxSize: must be a number, got "four"',
    ]);
  });
});

/** A platform whose every name is as long as the schema accepts. */
function longestPlatform(): string {
  const env = x(16, 'e');
  const colors = [x(12, 'b'), x(12, 'g')];
  const zone = (c: string) => Array.from({ length: 3 }, () => x(60, c)).join('.');
  const labels = Object.fromEntries(
    Array.from({ length: 40 }, (_, i) => [
      `${x(10, 'l')}.example.com/${x(40 - String(i).length, 'k')}${i}`,
      x(63, 'v'),
    ]),
  );
  const taints = Array.from({ length: 3 }, (_, i) => ({
    key: `${x(63 - String(i).length, 't')}${i}`,
    value: x(63, 'w'),
    effect: 'NoSchedule',
  }));
  return prod((r) => {
    r.name = env;
    // The add-on with the longest IRSA role name (<cluster>-load-balancer-controller) is off by default.
    r.addons.loadBalancerController = { enabled: true };
    r.tags = Object.fromEntries(
      Array.from({ length: 46 }, (_, i) => [`${x(128 - String(i).length, 'k')}${i}`, x(256, 'v')]),
    );
    r.dns.private.zone = zone('p').slice(0, 253 - `cname-${x(57)}.eks-${colors[0]}.`.length);
    r.dns.public.zone = zone('q').slice(0, 253 - `cname-${x(57)}.eks-${colors[0]}.`.length);
    r.backend.s3.keyPrefix = x(1024 - '/.tfstate'.length - `${env}-${colors[0]}-bootstrap`.length, 's');
    r.live = colors[0];
    r.clusters.forEach((c: Raw, ci: number) => {
      c.color = colors[ci];
      c.nodeGroups.forEach((g: Raw, gi: number) => {
        g.name = `${x(19, 'n')}${gi}`;
        g.labels = labels;
        if (g.taints) g.taints = taints;
      });
      c.nodeGroups[1].offHours = {
        stop: '0 20 * * 1-5',
        start: '0 7 * * 1-5',
        timeZone: 'America/Argentina/Buenos_Aires',
      };
      c.nodeGroups[2].releaseVersion = `${c.kubernetesVersion}.2-20251112`;
    });
    r.access.forEach((a: Raw, ai: number) => {
      a.username = `${x(255, 'u')}${ai}`;
    });
    for (const a of r.apps) a.clusters = colors;
    r.apps[0].name = x(40, 'a');
    r.apps[0].namespace = x(63, 's');
    r.apps[0].team = x(63, 't');
    r.apps[0].dns = { private: x(57, 'r'), public: x(57, 'r') };
    r.apps[1].name = `${x(39, 'b')}1`;
    r.apps[1].namespace = x(63, 'm');
  });
}

describe('the longest names the schema accepts', () => {
  const env = x(16, 'e');
  const config = parseConfig(longestPlatform(), `${env}.yaml`, env);
  const rendering = renderConfigs([config]);

  /** Every resource of every stack, with its type. */
  const resources = rendering.stacks.flatMap((stack) =>
    Object.entries(
      (stack.json.resource ?? {}) as Record<string, Record<string, Record<string, any>>>,
    ).flatMap(([type, byId]) => Object.values(byId).map((resource) => ({ stack, type, resource }))),
  );
  const named = (type: string, attribute: string) =>
    resources.filter((r) => r.type === type).map((r) => r.resource[attribute] as string);

  it('stay within the AWS name limits', () => {
    const checks: [string, string, keyof typeof AWS_NAME_LIMITS][] = [
      ['aws_eks_cluster', 'name', 'eksCluster'],
      ['aws_eks_node_group', 'node_group_name', 'eksNodeGroup'],
      ['aws_iam_role', 'name', 'iamRole'],
      ['aws_iam_role_policy', 'name', 'iamPolicy'],
      ['aws_launch_template', 'name', 'launchTemplate'],
      ['aws_autoscaling_schedule', 'scheduled_action_name', 'scheduledAction'],
      ['aws_kms_alias', 'name', 'kmsAlias'],
      ['aws_cloudwatch_log_group', 'name', 'logGroup'],
    ];
    for (const [type, attribute, limit] of checks) {
      const names = named(type, attribute);
      expect(names.length, type).toBeGreaterThan(0);
      for (const name of names)
        expect(name.length, `${type} ${name}`).toBeLessThanOrEqual(AWS_NAME_LIMITS[limit].max);
    }
    // The longest names really are at the limit of what the schema accepts: the longest IRSA
    // role of the add-on catalog on the longest cluster name.
    expect(Math.max(...named('aws_iam_role', 'name').map((n) => n.length))).toBe(
      Math.max(...Object.keys(IRSA_ADDONS).map((addon) => `${env}-${x(12)}-${addon}`.length)),
    );
    for (const stack of rendering.stacks) {
      const key = (stack.json.terraform as any).backend.s3.key as string;
      expect(key.length).toBeLessThanOrEqual(AWS_NAME_LIMITS.s3Key.max);
    }
  });

  it('stay within the AWS tag limits, platform tags included', () => {
    for (const { stack, type, resource } of resources) {
      const provider = (stack.json.provider as any)?.aws?.[0]?.default_tags?.[0]?.tags ?? {};
      const tagMaps = [
        resource.tags,
        ...((resource.tag_specifications ?? []) as Raw[]).map((spec) => spec.tags),
      ].filter((t): t is Record<string, string> => t !== undefined && typeof t === 'object');
      for (const tags of tagMaps) {
        const merged = { ...provider, ...tags };
        expect(Object.keys(merged).length, `${type} tags`).toBeLessThanOrEqual(AWS_TAG.maxPerResource);
        for (const [key, value] of Object.entries(merged)) {
          expect(key.length).toBeLessThanOrEqual(AWS_TAG.maxKey);
          expect(String(value).length).toBeLessThanOrEqual(AWS_TAG.maxValue);
        }
      }
    }
    const asgTags = resources.filter((r) => r.type === 'aws_autoscaling_group_tag');
    expect(asgTags.length).toBeGreaterThan(0);
    const perGroup = new Map<string, number>();
    for (const { stack, resource } of asgTags) {
      expect(resource.tag.key.length).toBeLessThanOrEqual(AWS_TAG.maxKey);
      expect(resource.tag.value.length).toBeLessThanOrEqual(AWS_TAG.maxValue);
      const group = `${stack.name} ${resource.autoscaling_group_name}`;
      perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    }
    // The groups with taints carry exactly as many tags as an Auto Scaling group may hold.
    expect(Math.max(...perGroup.values()) + EKS_AUTO_SCALING_GROUP_TAGS).toBe(AWS_TAG.maxPerResource);
    for (const count of perGroup.values()) {
      expect(count + EKS_AUTO_SCALING_GROUP_TAGS).toBeLessThanOrEqual(AWS_TAG.maxPerResource);
    }
  });

  it('stay within the Route 53 and external-dns name limits', () => {
    for (const name of named('aws_route53_record', 'name')) expect(name.length).toBeLessThanOrEqual(253);
    const services = rendering.objects.filter((o) => o.object.kind === 'Service');
    const published = services.flatMap((o) =>
      Object.entries(((o.object.metadata as Raw).annotations ?? {}) as Record<string, string>).filter(
        ([key]) => ['PrivateDNSName', 'PublicDNSName'].includes(key),
      ),
    );
    expect(published.length).toBeGreaterThan(0);
    const zones = [config.dns.private.zone, config.dns.public.zone];
    for (const [, record] of published) {
      for (const zone of zones) {
        for (const domain of [zone, ...config.clusters.map((c) => `eks-${c.color}.${zone}`)]) {
          expect(externalDnsRecordProblem(`${record}.${domain}`)).toBeUndefined();
        }
      }
    }
  });

  it('stay within the Kubernetes name and label limits', () => {
    for (const { object } of rendering.objects) {
      const metadata = object.metadata as Raw;
      const kind = object.kind as string;
      expect(metadata.name.length, `${kind} ${metadata.name}`).toBeLessThanOrEqual(253);
      if (['Service', 'Namespace'].includes(kind)) {
        // https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names
        expect(metadata.name, kind).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
      }
      for (const [key, value] of Object.entries((metadata.labels ?? {}) as Record<string, string>)) {
        expect(qualifiedNameProblem(key, 'label key'), key).toBeUndefined();
        expect(value.length, key).toBeLessThanOrEqual(63);
      }
    }
    const groups = resources.filter((r) => r.type === 'aws_eks_node_group').map((r) => r.resource);
    for (const group of groups) {
      for (const [key, value] of Object.entries(group.labels as Record<string, string>)) {
        expect(key.length).toBeLessThanOrEqual(63);
        expect(value.length).toBeGreaterThan(0);
        expect(value.length).toBeLessThanOrEqual(63);
      }
    }
  });
});
