/**
 * Format checks for strings the platform hands to AWS and Kubernetes. Each returns `undefined`
 * when the value is acceptable, or a sentence saying what is allowed.
 */
import { nodeLabelKeyLimitProblem, taintKeyProblem } from './limits';

/** RFC 1123 label, as Kubernetes requires for namespaces, Service names and most object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function dnsLabelProblem(value: string, maxLength = 63): string | undefined {
  if (value.length > maxLength || !DNS_LABEL.test(value)) {
    return `must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`;
  }
  return undefined;
}

/** A DNS name such as `devinfra.local` (a hosted zone or a record name). */
export function dnsNameProblem(value: string): string | undefined {
  const labels = value.split('.');
  if (value.length > 253 || labels.some((label) => label.length > 63 || !DNS_LABEL.test(label))) {
    return 'must be a DNS name of lowercase labels separated by dots, such as devinfra.local';
  }
  return undefined;
}

/**
 * Label key prefixes that the EKS managed node group API rejects ("Label cannot contain reserved
 * prefixes [kubernetes.io/, k8s.io/, eks.amazonaws.com/]"); kubelet refuses most of them too since
 * Kubernetes 1.16 (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction).
 */
export const RESERVED_NODE_LABEL_DOMAINS = ['kubernetes.io/', 'k8s.io/', 'eks.amazonaws.com/'] as const;

function reservedDomainProblem(key: string): string | undefined {
  const reserved = RESERVED_NODE_LABEL_DOMAINS.find((domain) => key.includes(domain));
  return reserved && `uses the reserved prefix ${reserved}, which EKS managed node groups reject`;
}

/** A node label key of an EKS managed node group: Kubernetes syntax, EKS length, no reserved domain. */
export function nodeLabelKeyProblem(key: string): string | undefined {
  return reservedDomainProblem(key) ?? nodeLabelKeyLimitProblem(key);
}

/** A taint key of an EKS managed node group. */
export function nodeTaintKeyProblem(key: string): string | undefined {
  return reservedDomainProblem(key) ?? taintKeyProblem(key);
}

/**
 * An image reference pinned to a tag or a digest. `latest` and untagged references are refused:
 * the rendered manifests must say exactly what runs.
 */
export function pinnedImageProblem(image: string): string | undefined {
  const at = image.indexOf('@');
  if (at >= 0) {
    return /^sha256:[a-f0-9]{64}$/.test(image.slice(at + 1))
      ? undefined
      : 'must end with a digest of the form @sha256:<64 hex digits>';
  }
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'must be pinned to a tag (image:1.2.3) or a digest (image@sha256:…)';
  const tag = lastSegment.slice(colon + 1);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return `has an invalid tag "${tag}"`;
  if (tag === 'latest') return 'must not use the tag latest: pin a version or a digest';
  return undefined;
}

const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
] as const;

/** A 5-field Unix cron expression, as Amazon EC2 Auto Scaling scheduled actions accept it. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `must have 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  }
  for (const [index, field] of fields.entries()) {
    const spec = CRON_FIELDS[index];
    if (spec === undefined) continue;
    for (const part of field.split(',')) {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!match) return `has an invalid ${spec.name} field "${field}"`;
      const numbers = [match[2], match[3]].filter((n): n is string => n !== undefined).map(Number);
      if (numbers.some((n) => n < spec.min || n > spec.max)) {
        return `has a ${spec.name} outside ${spec.min}-${spec.max} in "${field}"`;
      }
      if (match[4] !== undefined && Number(match[4]) === 0) return `has a step of 0 in "${field}"`;
    }
  }
  return undefined;
}

/** An IANA time zone name, as Auto Scaling scheduled actions accept it (`America/Toronto`). */
export function timeZoneProblem(zone: string): string | undefined {
  if (!zone.includes('/') && zone !== 'UTC')
    return 'must be an IANA time zone such as America/Toronto, or UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return 'is not a known IANA time zone (for example America/Toronto, Europe/Paris, UTC)';
  }
}

export function httpsOrSshUrlProblem(value: string): string | undefined {
  if (/^git@[A-Za-z0-9.-]+:[\w./-]+$/.test(value)) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'ssh:') return undefined;
  } catch {
    // reported below
  }
  return 'must be an https:// or ssh:// URL, or git@host:path';
}
