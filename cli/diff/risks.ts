/**
 * The risk classes of a change: what a reviewer must not miss, each explained in one line at the
 * top of the report, and each flagged change with what exactly it does.
 */
import { DNS_NAME_ANNOTATIONS } from '../../platform/names';
import type { FieldChange } from './field-change';
import type { Resource } from './resources';

export type RiskClass =
  | 'live-switch'
  | 'impossible'
  | 'control-plane-upgrade'
  | 'node-roll'
  | 'replacement'
  | 'deletion'
  | 'public-exposure'
  | 'iam-broadening'
  | 'dns-left-behind';

export interface Risk {
  readonly class: RiskClass;
  readonly detail: string;
}

const EKS_UPDATE = 'https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html';

/** In the order of the banner: what moves production traffic or cannot be applied first. */
export const RISK_CLASSES = {
  'live-switch': {
    title: 'production traffic moves',
    explanation:
      'the live names (the live-dns records and the live external-dns instances) move to another cluster: clients follow as soon as Route 53 answers with the new records',
  },
  impossible: {
    title: 'impossible change',
    explanation: `AWS or Kubernetes refuses it and the apply fails: EKS cannot downgrade a control plane and upgrades one minor at a time (${EKS_UPDATE}), nor roll a node group back to an earlier version or AMI release; a workload's selector is immutable`,
  },
  'control-plane-upgrade': {
    title: 'control-plane upgrade',
    explanation: `the EKS control plane moves to the next minor version; it cannot be rolled back, and node groups and add-ons must follow (${EKS_UPDATE})`,
  },
  'node-roll': {
    title: 'node roll',
    explanation:
      'every node of the node group is replaced (new Kubernetes version, AMI release or launch template version): pods are evicted node by node, within maxUnavailable and PodDisruptionBudgets',
  },
  replacement: {
    title: 'replacement',
    explanation:
      'Terraform destroys and recreates the resource; each change says whether capacity or data is lost first (destroy before create unless lifecycle.create_before_destroy)',
  },
  deletion: {
    title: 'deletion',
    explanation: 'the resource is deleted from AWS or from the cluster',
  },
  'public-exposure': {
    title: 'new public exposure',
    explanation:
      'something becomes reachable from the internet: an internet-facing load balancer or a public Kubernetes API endpoint',
  },
  'iam-broadening': {
    title: 'IAM broadening',
    explanation:
      'new actions, resources, principals or grants (IAM or Kubernetes RBAC): someone can do more than before',
  },
  'dns-left-behind': {
    title: 'DNS records left behind',
    explanation:
      'external-dns runs --policy=upsert-only and never deletes a record: the records of a removed app or cluster stay in Route 53 until someone deletes them',
  },
} as const satisfies Record<RiskClass, { readonly title: string; readonly explanation: string }>;

export const RISK_ORDER = Object.keys(RISK_CLASSES) as RiskClass[];

/** A change being classified, with both trees for the risks that depend on other resources. */
export interface RiskInput {
  readonly resource: Resource;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: Resource;
  readonly after?: Resource;
  readonly fields: readonly FieldChange[];
  readonly beforeTree: ReadonlyMap<string, Resource>;
  readonly afterTree: ReadonlyMap<string, Resource>;
}

// biome-ignore lint/suspicious/noExplicitAny: rendered JSON and YAML, read field by field
type Obj = Record<string, any>;

const SCHEME = 'service.beta.kubernetes.io/aws-load-balancer-scheme';
const ALB_SCHEME = 'alb.ingress.kubernetes.io/scheme';

/**
 * Arguments whose change makes Terraform replace the resource, for the resources whose
 * replacement takes nodes or a cluster away
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_node_group,
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster).
 */
const FORCES_REPLACEMENT: Record<
  string,
  {
    readonly what: string;
    readonly loss: (createFirst: boolean) => string;
    readonly fields: readonly string[];
  }
> = {
  aws_eks_node_group: {
    what: 'replaces the node group',
    loss: (createFirst) =>
      createFirst
        ? 'the new group is created before the old one is destroyed (create_before_destroy): no capacity gap'
        : 'capacity is lost first: Terraform destroys the old group (its nodes are drained and terminated) before it creates the new one (no create_before_destroy), so pods that fit nowhere else stay Pending until the new nodes join',
    fields: [
      'node_group_name',
      'node_group_name_prefix',
      'cluster_name',
      'node_role_arn',
      'subnet_ids',
      'instance_types',
      'capacity_type',
      'ami_type',
      'disk_size',
      'remote_access',
    ],
  },
  aws_eks_cluster: {
    what: 'replaces the cluster',
    loss: (createFirst) =>
      createFirst
        ? 'a new, empty cluster is created before the old one is destroyed: every object and its data must be restored on it'
        : 'data is lost first: Terraform destroys the cluster, every object on it and its etcd data, before it creates an empty one',
    fields: [
      'name',
      'role_arn',
      'encryption_config',
      'kubernetes_network_config',
      'bootstrap_self_managed_addons',
      'vpc_config.subnet_ids',
    ],
  },
  aws_subnet: {
    what: 'replaces the subnet',
    loss: () => 'capacity is lost first: the nodes and load balancers in it must go before it is destroyed',
    fields: ['cidr_block', 'availability_zone', 'vpc_id'],
  },
  aws_vpc: {
    what: 'replaces the VPC',
    loss: () => 'everything in the VPC must be destroyed first',
    fields: ['cidr_block'],
  },
};

/** Kinds whose spec.selector Kubernetes refuses to change: the apply fails until the object is deleted. */
const IMMUTABLE_SELECTOR_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

function touches(fields: readonly FieldChange[], name: string): FieldChange[] {
  return fields.filter(
    (f) => f.path === name || f.path.startsWith(`${name}.`) || f.path.startsWith(`${name}[`),
  );
}

function bodyOf(resource: Resource | undefined): Obj {
  return (resource?.body ?? {}) as Obj;
}

function minor(version: unknown): number | undefined {
  const match = /^1\.(\d+)$/.exec(String(version));
  return match ? Number(match[1]) : undefined;
}

function nameOf(resource: Resource): string {
  return String(bodyOf(resource).metadata?.name ?? '');
}

function liveSwitch(input: RiskInput): Risk[] {
  const { resource, kind, before, after, fields } = input;
  if (kind !== 'changed') return [];
  if (resource.group.endsWith('-live-dns')) {
    const old = bodyOf(before);
    const next = bodyOf(after);
    const detail =
      resource.kind === 'aws_route53_record'
        ? `${next.name} ${next.type} now answers ${JSON.stringify(next.records ?? next.alias)} (was ${JSON.stringify(old.records ?? old.alias)})`
        : resource.kind === 'data.aws_eks_cluster'
          ? `the live cluster becomes ${next.name} (was ${old.name})${followers(input)}`
          : 'the live DNS stack changes';
    return [{ class: 'live-switch', detail }];
  }
  const replicas = fields.find((f) => f.path === 'spec.replicas');
  if (resource.kind === 'Deployment' && nameOf(resource).startsWith('live-external-dns-') && replicas) {
    const starts = Number(replicas.before ?? 0) === 0 && Number(replicas.after ?? 0) > 0;
    return [
      {
        class: 'live-switch',
        detail: `${resource.group} ${starts ? 'starts' : 'stops'} publishing the live names (${nameOf(resource)} replicas ${replicas.before} → ${replicas.after})`,
      },
    ];
  }
  return [];
}

/** The records that read a changed data source: their text is unchanged, their value is not. */
function followers(input: RiskInput): string {
  const reference = `${input.resource.name}.`;
  const names = [...input.afterTree.values()]
    .filter(
      (r) =>
        r.file === input.resource.file &&
        r.kind === 'aws_route53_record' &&
        JSON.stringify(r.body).includes(reference),
    )
    .map((r) => `${bodyOf(r).name} ${bodyOf(r).type}`);
  return names.length > 0 ? `: ${names.join(', ')} follow${names.length === 1 ? 's' : ''} it` : '';
}

function versions(input: RiskInput): Risk[] {
  const { resource, kind, fields } = input;
  if (kind !== 'changed' || resource.kind !== 'aws_eks_cluster') return [];
  const change = fields.find((f) => f.path === 'version');
  if (!change) return [];
  const from = minor(change.before);
  const to = minor(change.after);
  const arrow = `${change.before} → ${change.after}`;
  if (from === undefined || to === undefined) {
    return [{ class: 'control-plane-upgrade', detail: `control plane ${arrow}` }];
  }
  if (to < from) {
    return [
      { class: 'impossible', detail: `control-plane downgrade ${arrow}: EKS cannot downgrade a cluster` },
    ];
  }
  if (to > from + 1) {
    return [
      {
        class: 'impossible',
        detail: `minor skip ${arrow}: EKS upgrades one minor at a time (1.${from + 1} first)`,
      },
    ];
  }
  return [
    { class: 'control-plane-upgrade', detail: `control plane ${arrow}: cannot be rolled back once applied` },
  ];
}

/** Numeric comparison of `1.34` or `1.34.2-20251112`, part by part. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}

/**
 * "You cannot roll back a node group to an earlier Kubernetes version or AMI version"
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupVersion.html).
 */
function nodeGroupRollback(input: RiskInput): Risk[] {
  const { resource, kind, fields, after } = input;
  if (kind !== 'changed' || resource.kind !== 'aws_eks_node_group') return [];
  return fields
    .filter(
      (f) =>
        (f.path === 'version' || f.path === 'release_version') &&
        typeof f.before === 'string' &&
        typeof f.after === 'string' &&
        compareVersions(f.after, f.before) < 0,
    )
    .map((f) => ({
      class: 'impossible' as const,
      detail: `${bodyOf(after).node_group_name}: ${f.path} ${f.before} → ${f.after}: a node group cannot be rolled back to an earlier Kubernetes or AMI version`,
    }));
}

function selector(input: RiskInput): Risk[] {
  const { resource, kind, fields } = input;
  if (kind !== 'changed' || !IMMUTABLE_SELECTOR_KINDS.includes(resource.kind)) return [];
  return touches(fields, 'spec.selector').length > 0
    ? [
        {
          class: 'impossible',
          detail: 'immutable selector changed: the apply fails until the object is recreated',
        },
      ]
    : [];
}

function nodeRoll(input: RiskInput): Risk[] {
  const { resource, kind, fields, after, afterTree } = input;
  if (kind !== 'changed') return [];
  if (resource.kind === 'aws_eks_node_group') {
    const rolling = ['version', 'release_version', 'launch_template'].flatMap((f) => touches(fields, f));
    if (rolling.length === 0) return [];
    const what = rolling
      .map((f) => `${f.path} ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`)
      .join(', ');
    return [{ class: 'node-roll', detail: `rolls every node of ${bodyOf(after).node_group_name}: ${what}` }];
  }
  if (resource.kind === 'aws_launch_template') {
    // Resource tags are not part of a launch template version: only they change without a roll.
    const versioned = fields.filter((f) => !/^tags(_all)?(\.|$)/.test(f.path));
    if (versioned.length === 0) return [];
    const reference = `${resource.name}.`;
    const groups = [...afterTree.values()]
      .filter(
        (r) =>
          r.file === resource.file &&
          r.kind === 'aws_eks_node_group' &&
          JSON.stringify(bodyOf(r).launch_template ?? '').includes(`\${${reference}`) &&
          /latest_version|default_version/.test(JSON.stringify(bodyOf(r).launch_template ?? '')),
      )
      .map((r) => String(bodyOf(r).node_group_name));
    if (groups.length === 0) return [];
    return [
      {
        class: 'node-roll',
        detail: `a new launch template version (${versioned.map((f) => f.path).join(', ')}) rolls every node of ${groups.join(', ')}`,
      },
    ];
  }
  return [];
}

function replacement(input: RiskInput): Risk[] {
  const { resource, kind, fields, after } = input;
  const rule = FORCES_REPLACEMENT[resource.kind];
  if (kind !== 'changed' || !rule) return [];
  const forcing = rule.fields.flatMap((name) => touches(fields, name));
  if (forcing.length === 0) return [];
  const createFirst = bodyOf(after).lifecycle?.create_before_destroy === true;
  return [
    {
      class: 'replacement',
      detail: `${rule.what} (${forcing.map((f) => f.path).join(', ')}): ${rule.loss(createFirst)}`,
    },
  ];
}

function deletion(input: RiskInput): Risk[] {
  const { resource, kind, before } = input;
  if (kind !== 'removed' || resource.kind.startsWith('data.')) return [];
  const body = bodyOf(before);
  const detail =
    resource.kind === 'aws_eks_node_group'
      ? `node group ${body.node_group_name}: its nodes are drained and terminated`
      : resource.kind === 'aws_eks_cluster'
        ? `cluster ${body.name}: every object on it and its data are lost`
        : resource.kind === 'Namespace'
          ? `namespace ${nameOf(resource)}: Kubernetes deletes every object in it, rendered here or not`
          : resource.kind.startsWith('aws_')
            ? 'Terraform destroys it'
            : 'deleted from the cluster when Argo CD prunes it';
  return [{ class: 'deletion', detail }];
}

function publicExposure(input: RiskInput): Risk[] {
  const { resource, kind, before, after } = input;
  if (kind === 'removed') return [];
  const old = bodyOf(before);
  const next = bodyOf(after);
  if (resource.kind === 'Service') {
    const isPublic = (s: Obj) =>
      s.spec?.type === 'LoadBalancer' && s.metadata?.annotations?.[SCHEME] === 'internet-facing';
    if (isPublic(next) && !isPublic(old)) {
      const ports = (next.spec?.ports ?? []).map((p: Obj) => p.port).join(', ');
      return [
        {
          class: 'public-exposure',
          detail: `internet-facing load balancer for ${nameOf(resource)} (ports ${ports})`,
        },
      ];
    }
  }
  if (resource.kind === 'Ingress') {
    const isPublic = (s: Obj) => s.metadata?.annotations?.[ALB_SCHEME] === 'internet-facing';
    if (isPublic(next) && !isPublic(old))
      return [{ class: 'public-exposure', detail: `internet-facing ALB for ${nameOf(resource)}` }];
  }
  if (resource.kind === 'aws_eks_cluster') {
    const vpc = (b: Obj): Obj => [b.vpc_config].flat()[0] ?? {};
    const cidrs = (b: Obj): string[] =>
      vpc(b).endpoint_public_access === true ? (vpc(b).public_access_cidrs ?? ['0.0.0.0/0']) : [];
    const opened = cidrs(next).filter((c) => !cidrs(old).includes(c));
    if (opened.length > 0)
      return [
        {
          class: 'public-exposure',
          detail: `public Kubernetes API endpoint of ${next.name} reachable from ${opened.join(', ')}`,
        },
      ];
  }
  return [];
}

function newItems(label: string, before: readonly string[], after: readonly string[]): string[] {
  const added = [...new Set(after)].filter((x) => !before.includes(x)).sort();
  return added.length > 0 ? [`${label} ${added.join(', ')}`] : [];
}

interface Grants {
  readonly actions: string[];
  readonly principals: string[];
  readonly resources: string[];
}

function policyGrants(document: Obj | undefined): Grants {
  const statements: Obj[] = !document
    ? []
    : Array.isArray(document.Statement)
      ? document.Statement
      : document.Statement
        ? [document.Statement]
        : (document.statement ?? []);
  const allow = statements.filter((s) => (s.Effect ?? s.effect ?? 'Allow') === 'Allow');
  return {
    actions: allow.flatMap((s) => [s.Action ?? s.actions ?? []].flat().map(String)),
    principals: allow.flatMap((s) =>
      s.Principal
        ? Object.entries(s.Principal as Obj).flatMap(([type, ids]) =>
            [ids].flat().map((id) => `${type} ${id}`),
          )
        : (s.principals ?? []).flatMap((p: Obj) =>
            (p.identifiers ?? []).map((id: string) => `${p.type} ${id}`),
          ),
    ),
    resources: allow.flatMap((s) => [s.Resource ?? s.resources ?? []].flat().map(String)),
  };
}

function parsePolicy(text: unknown): Obj | undefined {
  if (typeof text !== 'string' || text.startsWith('${')) return undefined;
  try {
    return JSON.parse(text) as Obj;
  } catch {
    return undefined;
  }
}

function broadening(before: Grants, after: Grants): string[] {
  return [
    ...newItems('new actions', before.actions, after.actions),
    ...newItems('new principals', before.principals, after.principals),
    ...newItems('new resources', before.resources, after.resources),
  ];
}

function rbacGrants(object: Obj): string[] {
  return (object.rules ?? []).flatMap((r: Obj) =>
    (r.verbs ?? []).flatMap((verb: string) =>
      [...(r.resources ?? []), ...(r.nonResourceURLs ?? [])].flatMap((what: string) =>
        (r.apiGroups ?? ['']).map((g: string) => `${verb} ${g === '' ? '' : `${g}/`}${what}`),
      ),
    ),
  );
}

function subjects(object: Obj): string[] {
  const role = `${object.roleRef?.kind} ${object.roleRef?.name}`;
  return (object.subjects ?? []).map(
    (s: Obj) => `${role} to ${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`,
  );
}

function iam(input: RiskInput): Risk[] {
  const { resource, kind, before, after } = input;
  if (kind === 'removed') return [];
  const old = kind === 'added' ? undefined : bodyOf(before);
  const next = bodyOf(after);
  const found: string[] = [];
  switch (resource.kind) {
    case 'data.aws_iam_policy_document':
      found.push(...broadening(policyGrants(old), policyGrants(next)));
      break;
    case 'aws_iam_role': {
      const trust = parsePolicy(next.assume_role_policy);
      if (trust)
        found.push(...broadening(policyGrants(parsePolicy(old?.assume_role_policy)), policyGrants(trust)));
      else if (old && old.assume_role_policy !== next.assume_role_policy)
        found.push(`trust policy now ${next.assume_role_policy}: who can assume the role may change`);
      break;
    }
    case 'aws_iam_role_policy':
    case 'aws_iam_policy': {
      const policy = parsePolicy(next.policy);
      // A policy rendered from a policy document data source is judged on that document.
      if (policy) found.push(...broadening(policyGrants(parsePolicy(old?.policy)), policyGrants(policy)));
      break;
    }
    case 'aws_iam_role_policy_attachment':
      if (old?.policy_arn !== next.policy_arn) found.push(`attaches ${next.policy_arn}`);
      break;
    case 'aws_eks_access_entry':
      if (!old) found.push(`cluster access for ${next.principal_arn}`);
      found.push(
        ...newItems('new Kubernetes groups', old?.kubernetes_groups ?? [], next.kubernetes_groups ?? []),
      );
      break;
    case 'aws_eks_access_policy_association':
      if (old?.policy_arn !== next.policy_arn) found.push(`${next.policy_arn} for ${next.principal_arn}`);
      break;
    case 'ClusterRole':
    case 'Role': {
      // Grants are verb/resource pairs; shown per resource: `pods: get, list`.
      const known = old ? rbacGrants(old) : [];
      const byResource = new Map<string, string[]>();
      for (const grant of [...new Set(rbacGrants(next))].filter((g) => !known.includes(g)).sort()) {
        const [verb = '', what = ''] = grant.split(' ');
        byResource.set(what, [...(byResource.get(what) ?? []), verb]);
      }
      if (byResource.size > 0)
        found.push(
          `new grants ${[...byResource].map(([what, verbs]) => `${what}: ${verbs.join(', ')}`).join('; ')}`,
        );
      break;
    }
    case 'ClusterRoleBinding':
    case 'RoleBinding':
      found.push(...newItems('binds', old ? subjects(old) : [], subjects(next)));
      break;
  }
  return found.map((detail) => ({ class: 'iam-broadening', detail }));
}

/** What an external-dns Deployment publishes, when it runs with --policy=upsert-only and is scaled up. */
function upsertOnlyPublisher(resource: Resource): { annotation: string; template: string } | undefined {
  const body = bodyOf(resource);
  if (resource.kind !== 'Deployment' || body.spec?.replicas === 0) return undefined;
  const args: string[] = (body.spec?.template?.spec?.containers ?? []).flatMap((c: Obj) => c.args ?? []);
  if (!args.includes('--policy=upsert-only')) return undefined;
  const value = (flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  const annotation = value('--annotation-filter');
  const template = value('--fqdn-template');
  return annotation && template ? { annotation, template } : undefined;
}

function dnsLeftBehind(input: RiskInput): Risk[] {
  const { resource, kind, before, beforeTree, afterTree } = input;
  if (kind !== 'removed' || !before) return [];
  const publisher = upsertOnlyPublisher(before);
  if (publisher) {
    const domain = publisher.template.replace(/^\{\{[^}]*\}\}\.?/, '');
    return [
      {
        class: 'dns-left-behind',
        detail: `${nameOf(resource)} runs --policy=upsert-only: the records it published (${publisher.annotation} names under ${domain}) stay in Route 53 and nothing deletes them`,
      },
    ];
  }
  if (resource.kind !== 'Service' && resource.kind !== 'Ingress') return [];
  const annotations: Obj = bodyOf(before).metadata?.annotations ?? {};
  const stillThere = [...afterTree.values()].some(
    (r) => r.group === resource.group && r.name === resource.name,
  );
  if (stillThere) return [];
  const records = [...beforeTree.values()]
    .filter((r) => r.group === resource.group)
    .flatMap((r) => {
      const p = upsertOnlyPublisher(r);
      if (!p || !Object.values(DNS_NAME_ANNOTATIONS).includes(p.annotation as never)) return [];
      const name = annotations[p.annotation];
      return name === undefined ? [] : [p.template.replace(/\{\{[^}]*\}\}/, String(name))];
    });
  if (records.length === 0) return [];
  return [
    {
      class: 'dns-left-behind',
      detail: `${[...new Set(records)].sort().join(', ')} stay in Route 53 (external-dns runs --policy=upsert-only on ${resource.group}): delete them by hand`,
    },
  ];
}

/** Every risk of one change, in banner order. */
export function risksOf(input: RiskInput): Risk[] {
  const risks = [
    ...liveSwitch(input),
    ...versions(input),
    ...selector(input),
    ...nodeGroupRollback(input),
    ...nodeRoll(input),
    ...replacement(input),
    ...deletion(input),
    ...publicExposure(input),
    ...iam(input),
    ...dnsLeftBehind(input),
  ];
  return risks.sort((a, b) => RISK_ORDER.indexOf(a.class) - RISK_ORDER.indexOf(b.class));
}
