/**
 * Limits that AWS and Kubernetes enforce only at deploy or sync time, checked at load instead.
 * Each `…Problem` function returns `undefined` when the value fits, or a sentence naming the
 * limit and who enforces it, so that a config that loads is a config AWS and Kubernetes accept.
 */
import { NODE_TEMPLATE_LABEL_TAG_PREFIX, NODE_TEMPLATE_TAINT_TAG_PREFIX } from './names';

/** A limit and the rule or service that enforces it, as the messages name it. */
interface Limit {
  readonly max: number;
  readonly source: string;
}

/** The strictest of several limits on the same length. */
function strictest(...limits: readonly Limit[]): Limit {
  return limits.reduce((a, b) => (b.max < a.max ? b : a));
}

function tooLong(value: string, limit: Limit): string | undefined {
  return value.length > limit.max
    ? `must be at most ${limit.max} characters (${limit.source}), got ${value.length} characters`
    : undefined;
}

/**
 * AWS resource tags: key 1–128 and value 0–256 characters of letters, digits, spaces and
 * `_ . : / = + - @`; keys starting with `aws:` are reserved for AWS; at most 50 tags per resource
 * (tags starting with `aws:` do not count).
 * https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
 */
export const AWS_TAG = { maxKey: 128, maxValue: 256, maxPerResource: 50 } as const;
const AWS_TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function awsTagKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'must not be empty (AWS tag key, 1 to 128 characters)';
  if (/^aws:/i.test(key)) return 'must not start with aws: (AWS reserves the prefix for its own tags)';
  if (!AWS_TAG_CHARACTERS.test(key)) {
    return 'must use only letters, digits, spaces and _ . : / = + - @ (AWS tag key)';
  }
  return tooLong(key, { max: AWS_TAG.maxKey, source: 'AWS tag key' });
}

export function awsTagValueProblem(value: string): string | undefined {
  if (!AWS_TAG_CHARACTERS.test(value)) {
    return 'must use only letters, digits, spaces and _ . : / = + - @ (AWS tag value)';
  }
  return tooLong(value, { max: AWS_TAG.maxValue, source: 'AWS tag value' });
}

/**
 * Kubernetes qualified names (label keys, taint keys): an optional DNS subdomain prefix of at most
 * 253 characters and `/`, then a name of at most 63 characters.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function qualifiedNameProblem(key: string, what: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `must have a DNS subdomain of at most 253 characters before the "/" (Kubernetes ${what})`;
    }
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `must be a Kubernetes ${what}: an optional DNS prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Label keys EKS refuses: `CreateNodegroup` takes keys and values of 1 to 63 characters
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateLabelsPayload.html), and
 * cluster-autoscaler reads each label from an Auto Scaling group tag
 * `k8s.io/cluster-autoscaler/node-template/label/<key>` that must fit the 128-character AWS tag key.
 */
export const NODE_LABEL_KEY_LIMIT = strictest(
  { max: 63, source: 'EKS managed node group label key' },
  {
    max: AWS_TAG.maxKey - NODE_TEMPLATE_LABEL_TAG_PREFIX.length,
    source: `its Auto Scaling group tag ${NODE_TEMPLATE_LABEL_TAG_PREFIX}<key> must fit the 128-character AWS tag key`,
  },
);

/** Taint keys: EKS `Taint.key` is 1 to 63 characters (https://docs.aws.amazon.com/eks/latest/APIReference/API_Taint.html). */
export const TAINT_KEY_LIMIT = strictest(
  { max: 63, source: 'EKS managed node group taint key' },
  {
    max: AWS_TAG.maxKey - NODE_TEMPLATE_TAINT_TAG_PREFIX.length,
    source: `its Auto Scaling group tag ${NODE_TEMPLATE_TAINT_TAG_PREFIX}<key> must fit the 128-character AWS tag key`,
  },
);

export function nodeLabelKeyLimitProblem(key: string): string | undefined {
  return tooLong(key, NODE_LABEL_KEY_LIMIT) ?? qualifiedNameProblem(key, 'label key');
}

export function taintKeyProblem(key: string): string | undefined {
  return tooLong(key, TAINT_KEY_LIMIT) ?? qualifiedNameProblem(key, 'taint key');
}

/** Kubernetes label values: empty or at most 63 characters, alphanumeric at both ends. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Node label values: EKS refuses empty values (length 1 to 63, API_UpdateLabelsPayload above),
 * although Kubernetes accepts them.
 */
export function nodeLabelValueProblem(value: string): string | undefined {
  if (value === '') return 'must not be empty (EKS managed node group label values are 1 to 63 characters)';
  return (
    tooLong(value, { max: 63, source: 'Kubernetes label value; EKS refuses longer' }) ??
    (LABEL_VALUE.test(value)
      ? undefined
      : "must be a Kubernetes label value: letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
  );
}

/** Kubernetes label values (a namespace's labels): empty or at most 63 characters. */
export function labelValueProblem(value: string): string | undefined {
  return (
    tooLong(value, { max: 63, source: 'Kubernetes label value' }) ??
    (LABEL_VALUE.test(value)
      ? undefined
      : "must be empty or a Kubernetes label value: letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
  );
}

/**
 * Ports of one ingress or egress rule of a NetworkPolicy: the VPC CNI network policy agent allows
 * at most 24 unique port combinations per protocol in each rule.
 * https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html#cni-network-policy-considerations
 */
export const MAX_NETWORK_POLICY_RULE_PORTS = 24;

/** Taint values: EKS allows 0 to 63 characters; Kubernetes requires a label value. */
export function taintValueProblem(value: string): string | undefined {
  return (
    tooLong(value, { max: 63, source: 'EKS taint value and Kubernetes label value' }) ??
    (LABEL_VALUE.test(value)
      ? undefined
      : "must be empty or a Kubernetes label value: letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
  );
}

/**
 * Taints per managed node group: at most 50
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_node_group#taint).
 */
export const MAX_TAINTS_PER_NODE_GROUP = 50;

/**
 * The tags on the Auto Scaling group of a managed node group: EKS puts five of its own there
 * (`eks:cluster-name`, `eks:nodegroup-name`, `k8s.io/cluster-autoscaler/enabled`,
 * `k8s.io/cluster-autoscaler/<cluster>`, `kubernetes.io/cluster/<cluster>`), and the platform adds
 * one node-template tag per node label and per taint; an Auto Scaling group carries at most 50 tags
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-tagging.html).
 */
export const EKS_AUTO_SCALING_GROUP_TAGS = 5;

/**
 * DNS names: at most 253 characters in text form, labels of at most 63
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html, RFC 1035).
 */
export function dnsNameLengthProblem(name: string, what: string): string | undefined {
  if (name.length > 253) {
    return `makes the ${what} ${name.slice(0, 40)}… of ${name.length} characters: Route 53 names are at most 253`;
  }
  const long = name.split('.').find((label) => label.length > 63);
  if (long !== undefined) {
    return `makes the ${what} ${name} with the label ${long} of ${long.length} characters: DNS labels are at most 63 (Route 53)`;
  }
  return undefined;
}

/**
 * external-dns's TXT registry names its ownership record after the record with the record type
 * prepended to the first label (`cname-<record>`, `a-…`, `aaaa-…`; AWS alias records use `cname-`),
 * so the first label of a published name must leave room for the longest, `cname-`.
 * https://kubernetes-sigs.github.io/external-dns/latest/docs/registry/txt/
 */
export const EXTERNAL_DNS_TXT_TYPE_PREFIX = 'cname-';

export function externalDnsRecordProblem(fqdn: string): string | undefined {
  const first = fqdn.split('.')[0] ?? '';
  const max = 63 - EXTERNAL_DNS_TXT_TYPE_PREFIX.length;
  if (first.length > max) {
    return `must be at most ${max} characters: external-dns names its TXT ownership record ${EXTERNAL_DNS_TXT_TYPE_PREFIX}${first}, and DNS labels are at most 63 (Route 53), got ${first.length} characters`;
  }
  return dnsNameLengthProblem(`${EXTERNAL_DNS_TXT_TYPE_PREFIX}${fqdn}`, 'external-dns TXT ownership record');
}

/**
 * RFC 1035 label: Kubernetes Service names must start with a letter
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names).
 */
export function serviceNameProblem(name: string): string | undefined {
  return /^[a-z]/.test(name)
    ? undefined
    : 'must start with a letter: it names Kubernetes Services, which must be RFC 1035 labels';
}

/**
 * The limits of the names AWS builds from config (`<environment>-<color>…`). The schema's length
 * limits on the environment, color and node group names keep them within these; a test renders
 * the longest accepted names and checks every one.
 */
export const AWS_NAME_LIMITS = {
  /** https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html#API_CreateCluster_RequestSyntax */
  eksCluster: { max: 100, source: 'EKS cluster name' },
  /** https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html */
  eksNodeGroup: { max: 63, source: 'EKS node group name' },
  /** https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
  iamRole: { max: 64, source: 'IAM role name' },
  iamPolicy: { max: 128, source: 'IAM policy name' },
  /** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html */
  launchTemplate: { max: 128, source: 'EC2 launch template name' },
  /** https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html */
  scheduledAction: { max: 255, source: 'Auto Scaling scheduled action name' },
  /** https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html */
  kmsAlias: { max: 256, source: 'KMS alias name' },
  /** https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html */
  logGroup: { max: 512, source: 'CloudWatch Logs log group name' },
  /** https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html */
  s3Key: { max: 1024, source: 'S3 object key' },
} as const satisfies Record<string, Limit>;

/**
 * An EKS AMI release (`1.34.2-20251112`) belongs to one Kubernetes minor: EKS refuses to put a
 * release of another minor on a node group of the cluster's version
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html#AmazonEKS-CreateNodegroup-request-releaseVersion).
 */
export function releaseVersionProblem(releaseVersion: string, kubernetesVersion: string): string | undefined {
  if (releaseVersion === '') return undefined;
  const minor = /^(\d+\.\d+)\./.exec(releaseVersion)?.[1];
  return minor !== undefined && minor !== kubernetesVersion
    ? `must be an AMI release of the cluster's Kubernetes ${kubernetesVersion} (EKS refuses a release of ${minor} on a ${kubernetesVersion} node group): clear it or pin a ${kubernetesVersion}.x release`
    : undefined;
}

/**
 * Kubernetes usernames EKS access entries refuse: they must not start with `system:`, `eks:`,
 * `aws:`, `amazon:` or `iam:` (https://docs.aws.amazon.com/eks/latest/userguide/set-custom-username.html).
 */
const RESERVED_USERNAME_PREFIXES = ['system:', 'eks:', 'aws:', 'amazon:', 'iam:'] as const;

export function accessUsernameProblem(username: string): string | undefined {
  const reserved = RESERVED_USERNAME_PREFIXES.find((p) => username.startsWith(p));
  return reserved === undefined
    ? undefined
    : `must not start with "${reserved}": EKS access entries refuse usernames starting with ${RESERVED_USERNAME_PREFIXES.join(', ')}`;
}
