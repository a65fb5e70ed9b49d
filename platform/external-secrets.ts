/**
 * External Secrets Operator (`addons.externalSecrets`, DESIGN §4): the pinned upstream chart the
 * add-on installs, the ClusterSecretStore the platform renders, the Secrets Manager name prefix
 * that scopes what it may read, and the checks on the secrets an app declares (`apps[].secrets`).
 * Pure values and functions shared by the schema, the manifests and the infra.
 */
import { ADDONS } from './addons';
import type { HelmChartSourceConfig } from './helm-charts';

/**
 * The upstream chart, at an exact version, from the chart repository of the chart's README
 * (`helm repo add external-secrets https://charts.external-secrets.io`)
 * (external-secrets/external-secrets, deploy/charts/external-secrets/Chart.yaml at tag
 * helm-chart-2.9.0, commit cc5bfbc2: version 2.9.0, appVersion v2.9.0, which is the default tag of
 * its image ghcr.io/external-secrets/external-secrets).
 */
export const EXTERNAL_SECRETS_CHART = {
  repoURL: 'https://charts.external-secrets.io',
  chart: 'external-secrets',
  version: '2.9.0',
} as const satisfies HelmChartSourceConfig;

/**
 * The Helm release name. The chart names its objects and its controller's ServiceAccount after the
 * release when the release name contains the chart name (`external-secrets.fullname` and
 * `external-secrets.serviceAccountName` in templates/_helpers.tpl at helm-chart-2.9.0), so the
 * controller's ServiceAccount is `external-secrets`, the one the IRSA role trusts.
 */
export const EXTERNAL_SECRETS_RELEASE = 'external-secrets';

/** The Argo CD Application and AppProject that install the chart (dist/<cluster>/argocd/). */
export const EXTERNAL_SECRETS_OPERATOR_APPLICATION = ADDONS.externalSecrets.helmApplication;

/** The ClusterSecretStore every app's ExternalSecrets read from: AWS Secrets Manager, this region. */
export const CLUSTER_SECRET_STORE = 'aws-secrets-manager';

/** The API version of the CRDs the pinned chart serves (v1 only; v1beta1 is not served by default). */
export const EXTERNAL_SECRETS_API_VERSION = 'external-secrets.io/v1';

/**
 * The Secrets Manager name prefix the operator may read: `addons.externalSecrets.prefix`, or the
 * environment's name and a slash (`prod/`), so one environment's operator cannot read another's
 * secrets in a shared account.
 */
export function externalSecretsPrefix(config: {
  readonly name: string;
  readonly addons: { readonly externalSecrets: { readonly prefix?: string | undefined } };
}): string {
  return config.addons.externalSecrets.prefix ?? `${config.name}/`;
}

/**
 * Characters of a Secrets Manager secret name: letters, digits and /_+=.@- , at most 512
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html#SecretsManager-CreateSecret-request-Name).
 */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const SECRET_NAME_MAX = 512;

/**
 * Why a prefix is not one the IAM policy can scope to, or undefined. It must end with `/`: IAM
 * matches the ARN `secret:<prefix>*` as plain text, so a prefix `prod` would also grant
 * `production/…`.
 */
export function secretPrefixProblem(prefix: string): string | undefined {
  if (!SECRET_NAME.test(prefix) || prefix.length > SECRET_NAME_MAX - 1) {
    return "must be the start of a Secrets Manager secret name: letters, digits and /_+=.@- (API CreateSecret, Name), such as 'prod/'";
  }
  if (!prefix.endsWith('/')) {
    return `must end with '/': IAM matches secret:<prefix>* as text, so ${JSON.stringify(prefix)} would also match ${JSON.stringify(`${prefix}other/…`)}`;
  }
  return undefined;
}

/** Why a remote key is not a secret name under `prefix`, or undefined. */
export function remoteKeyProblem(key: string, prefix: string): string | undefined {
  if (!SECRET_NAME.test(key) || key.length > SECRET_NAME_MAX) {
    return `must be a Secrets Manager secret name: letters, digits and /_+=.@-, at most ${SECRET_NAME_MAX} characters (API CreateSecret, Name)`;
  }
  if (!key.startsWith(prefix) || key.length === prefix.length) {
    return `must be a secret name under addons.externalSecrets.prefix ${JSON.stringify(prefix)} (the operator's IAM role may read nothing else)`;
  }
  return undefined;
}

/** Kubernetes IsDNS1123Subdomain (k8s.io/apimachinery/pkg/util/validation). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Why a Kubernetes Secret name is invalid, or undefined: a DNS-1123 subdomain of at most 253
 * characters (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names).
 */
export function secretNameProblem(name: string): string | undefined {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name)
    ? undefined
    : 'must be a Kubernetes Secret name: a DNS-1123 subdomain (lowercase letters, digits, - and ., each dot-separated part starting and ending with a letter or digit), at most 253 characters';
}

/**
 * Why a key of a Secret is invalid, or undefined: `[-._a-zA-Z0-9]+`, at most 253 characters
 * (Kubernetes IsConfigMapKey, https://kubernetes.io/docs/concepts/configuration/secret/#restriction-names-data),
 * the pattern of `secretKey` in the ExternalSecret CRD too.
 */
export function secretKeyProblem(key: string): string | undefined {
  return /^[-._a-zA-Z0-9]+$/.test(key) && key.length <= 253 && key !== '.' && key !== '..'
    ? undefined
    : "must be a Secret key: letters, digits, '-', '_' and '.', at most 253 characters, not '.' or '..'";
}

/** Where an app's pods find a declared secret: one read-only volume per secret, a file per key. */
export function appSecretMountPath(name: string): string {
  return `/var/run/secrets/app/${name}`;
}
