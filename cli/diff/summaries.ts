/**
 * The important fields of an added or removed resource, in one line: what a reviewer needs to
 * judge it without opening the file (a new internet-facing NLB, a node group's instance types).
 */
// biome-ignore lint/suspicious/noExplicitAny: rendered JSON and YAML, read field by field
type Obj = Record<string, any>;

const SCHEME = 'service.beta.kubernetes.io/aws-load-balancer-scheme';
const LB_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
const ROLE_ARN = 'eks.amazonaws.com/role-arn';

function list(values: readonly unknown[] | undefined): string {
  return (values ?? []).map(String).join(', ');
}

function podSpecOf(object: Obj): Obj | undefined {
  return object.spec?.jobTemplate?.spec?.template?.spec ?? object.spec?.template?.spec;
}

function workload(object: Obj): string[] {
  const pod = podSpecOf(object) ?? {};
  const containers: Obj[] = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  const facts = [`image ${list(containers.map((c) => c.image))}`];
  if (object.spec?.replicas !== undefined) facts.push(`replicas ${object.spec.replicas}`);
  if (object.spec?.schedule !== undefined) facts.push(`schedule "${object.spec.schedule}"`);
  const ports = containers.flatMap((c) =>
    (c.ports ?? []).map(
      (p: Obj) => `${p.containerPort}/${p.protocol ?? 'TCP'}${p.name ? ` (${p.name})` : ''}`,
    ),
  );
  if (ports.length > 0) facts.push(`ports ${ports.join(', ')}`);
  if (pod.serviceAccountName) facts.push(`service account ${pod.serviceAccountName}`);
  return facts;
}

function service(object: Obj): string[] {
  const annotations: Obj = object.metadata?.annotations ?? {};
  const facts = [`type ${object.spec?.type ?? 'ClusterIP'}`];
  if (annotations[SCHEME]) facts.push(`scheme ${annotations[SCHEME]}`);
  if (annotations[LB_TYPE]) facts.push(`load balancer ${annotations[LB_TYPE]}`);
  const ports = (object.spec?.ports ?? []).map(
    (p: Obj) => `${p.port}→${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`,
  );
  if (ports.length > 0) facts.push(`ports ${ports.join(', ')}`);
  for (const key of ['PublicDNSName', 'PrivateDNSName'])
    if (annotations[key]) facts.push(`${key} ${annotations[key]}`);
  return facts;
}

function rbacRules(object: Obj): string[] {
  const rules: Obj[] = object.rules ?? [];
  return rules.map(
    (r) =>
      `${list(r.verbs)} on ${list(r.resources ?? r.nonResourceURLs)}${
        r.apiGroups?.some((g: string) => g !== '') ? ` (${list(r.apiGroups)})` : ''
      }`,
  );
}

function kubernetes(kind: string, object: Obj): string[] {
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
    case 'CronJob':
      return workload(object);
    case 'Service':
      return service(object);
    case 'HorizontalPodAutoscaler':
      return [`replicas ${object.spec?.minReplicas ?? 1}–${object.spec?.maxReplicas}`];
    case 'Ingress':
      return [
        `hosts ${list((object.spec?.rules ?? []).map((r: Obj) => r.host))}`,
        ...(object.metadata?.annotations?.['alb.ingress.kubernetes.io/scheme']
          ? [`scheme ${object.metadata.annotations['alb.ingress.kubernetes.io/scheme']}`]
          : []),
      ];
    case 'ServiceAccount':
      return object.metadata?.annotations?.[ROLE_ARN]
        ? [`IAM role ${object.metadata.annotations[ROLE_ARN]}`]
        : [];
    case 'ClusterRole':
    case 'Role':
      return rbacRules(object);
    case 'ClusterRoleBinding':
    case 'RoleBinding':
      return [
        `${object.roleRef?.kind} ${object.roleRef?.name} to ${list(
          (object.subjects ?? []).map(
            (s: Obj) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`,
          ),
        )}`,
      ];
    case 'Application':
      return [
        `${object.spec?.source?.repoURL ?? ''} ${object.spec?.source?.path ?? object.spec?.source?.chart ?? ''} → namespace ${object.spec?.destination?.namespace}`,
      ];
    default:
      return [];
  }
}

/** Principals and actions of an IAM policy document, as JSON text or a policy-document data source. */
export function policyFacts(document: Obj): string[] {
  const statements: Obj[] = Array.isArray(document.Statement)
    ? document.Statement
    : document.Statement
      ? [document.Statement]
      : (document.statement ?? []);
  return statements.map((s) => {
    const effect = s.Effect ?? s.effect ?? 'Allow';
    const actions = [s.Action ?? s.actions ?? []].flat();
    const principals = s.Principal
      ? Object.entries(s.Principal as Obj).map(([type, ids]) => `${type} ${list([ids].flat())}`)
      : (s.principals ?? []).map((p: Obj) => `${p.type} ${list(p.identifiers)}`);
    const resources = [s.Resource ?? s.resources ?? []].flat();
    return [
      `${effect} ${list(actions)}`,
      principals.length > 0 ? `for ${principals.join('; ')}` : '',
      resources.length > 0 ? `on ${list(resources)}` : '',
    ]
      .filter((x) => x !== '')
      .join(' ');
  });
}

/** Finds a resource of the same stack by address, e.g. `data.aws_iam_policy_document.node-trust`. */
export type Lookup = (address: string) => unknown;

function parsedPolicy(text: unknown, lookup: Lookup): string[] {
  if (typeof text !== 'string') return [];
  const reference = /^\$\{(data\.aws_iam_policy_document\.[^.}]+)\.json\}$/.exec(text)?.[1];
  if (reference) {
    const document = lookup(reference);
    return document && typeof document === 'object' ? policyFacts(document as Obj) : [reference];
  }
  if (text.startsWith('${')) return [`policy ${text.slice(2, -1)}`];
  try {
    return policyFacts(JSON.parse(text) as Obj);
  } catch {
    return [];
  }
}

function terraform(type: string, body: Obj, lookup: Lookup): string[] {
  switch (type) {
    case 'aws_eks_node_group': {
      const scaling: Obj = [body.scaling_config].flat()[0] ?? {};
      return [
        `instance types ${list(body.instance_types)}`,
        `AMI type ${body.ami_type ?? 'default'}`,
        `${body.capacity_type ?? 'ON_DEMAND'}`,
        `size min ${scaling.min_size} / desired ${scaling.desired_size} / max ${scaling.max_size}`,
        ...(body.version ? [`version ${body.version}`] : []),
        ...(body.release_version ? [`release ${body.release_version}`] : []),
      ];
    }
    case 'aws_eks_cluster': {
      const vpc: Obj = [body.vpc_config].flat()[0] ?? {};
      return [
        `version ${body.version}`,
        vpc.endpoint_public_access
          ? `public endpoint from ${list(vpc.public_access_cidrs ?? ['0.0.0.0/0'])}`
          : 'private endpoint only',
      ];
    }
    case 'aws_launch_template': {
      const ebs: Obj = [body.block_device_mappings].flat()[0]?.ebs ?? {};
      return ebs.volume_size ? [`root volume ${ebs.volume_size} GiB ${ebs.volume_type ?? ''}`.trim()] : [];
    }
    case 'aws_iam_role':
      return [`trust: ${parsedPolicy(body.assume_role_policy, lookup).join('; ')}`];
    case 'aws_iam_role_policy':
    case 'aws_iam_policy':
      return parsedPolicy(body.policy, lookup);
    case 'data.aws_iam_policy_document':
      return policyFacts(body);
    case 'aws_iam_role_policy_attachment':
      return [`attaches ${body.policy_arn}`];
    case 'aws_route53_record':
      return [
        `${body.name} ${body.type} → ${
          body.alias ? [body.alias].flat()[0]?.name : list(body.records)
        }${body.ttl !== undefined ? ` (TTL ${body.ttl})` : ''}`,
      ];
    case 'aws_eks_access_entry':
      return [
        `${body.principal_arn}${body.kubernetes_groups ? ` as groups ${list(body.kubernetes_groups)}` : ''}`,
      ];
    case 'aws_eks_access_policy_association':
      return [`${body.policy_arn} for ${body.principal_arn}`];
    case 'aws_eks_addon':
      return [`${body.addon_name} ${body.addon_version ?? ''}`.trim()];
    case 'aws_autoscaling_group_tag': {
      const tag: Obj = [body.tag].flat()[0] ?? {};
      return [`${tag.key} = ${tag.value}`];
    }
    case 'aws_cloudwatch_log_group':
      return [
        `${body.name}, ${body.retention_in_days ? `retention ${body.retention_in_days} days` : 'kept forever'}`,
      ];
    case 'aws_kms_key':
      return [`rotation ${body.enable_key_rotation ? 'on' : 'off'}`];
    case 'aws_subnet':
      return [`${body.cidr_block} in ${body.availability_zone}`];
    case 'aws_vpc':
      return [`${body.cidr_block}`];
    default:
      return [];
  }
}

/** The important fields of a resource, `; `-separated; empty when the kind has none worth showing. */
export function resourceSummary(kind: string, body: unknown, lookup: Lookup = () => undefined): string {
  if (body === null || typeof body !== 'object') return '';
  const facts = /^(aws_|data\.)/.test(kind)
    ? terraform(kind, body as Obj, lookup)
    : kubernetes(kind, body as Obj);
  return facts.filter((f) => f !== '').join('; ');
}
