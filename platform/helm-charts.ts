/**
 * `charts:` (DESIGN §4): any Helm chart, installed by Argo CD from its repository at an exact
 * version, one Application per cluster it targets. Pure functions shared by the schema (what a
 * valid entry is), the manifests (the Application's source) and the infra (the chart's IRSA role).
 *
 * The chart's objects are rendered by Argo CD's repo server at sync time, not by `npm run synth`:
 * dist/ holds the Application and its AppProject, never the chart's objects, so no check rule
 * sees them (docs/addons.md, "Any Helm chart").
 */

/**
 * An exact chart version: a full SemVer 2 version (MAJOR.MINOR.PATCH, optional pre-release and
 * build), optionally prefixed with v as some repositories publish it (https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string).
 */
const EXACT_VERSION =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * Why a chart version is not an exact version, or undefined. For a Helm repository, Argo CD takes
 * `targetRevision` as a SemVer constraint and installs the newest chart version of the repository
 * index that satisfies it, re-resolved at every refresh
 * (https://argo-cd.readthedocs.io/en/stable/user-guide/helm/, "targetRevision … can be a semver
 * range"; constraint syntax: https://github.com/Masterminds/semver#checking-version-constraints,
 * which Helm uses too: https://helm.sh/docs/chart_best_practices/dependencies/#versions). A range,
 * `*`, an `x` wildcard or `latest` would let a chart release published after the merge run without
 * a review, and dist/ would not say which version runs.
 */
export function exactChartVersionProblem(version: string): string | undefined {
  if (EXACT_VERSION.test(version)) return undefined;
  return `must be an exact chart version such as 1.18.4 (MAJOR.MINOR.PATCH, semver), not a range, wildcard or tag: Argo CD resolves a range (^, ~, *, x, >=, ||, latest) to the newest matching chart at sync time, so dist/ would not say what runs, got ${JSON.stringify(version)}`;
}

/**
 * Why a chart repository URL is not one Argo CD can install a pinned chart from, or undefined:
 * an https:// Helm repository (serving index.yaml), or an OCI registry as oci://<registry>/<path>.
 * Argo CD 3.1 and later take an OCI source natively with the oci:// scheme (Argo CD docs, OCI:
 * https://argo-cd.readthedocs.io/en/release-3.4/user-guide/oci/); the bootstrap stack pins 3.5
 * (platform/images.ts, ARGOCD_HELM). Plain http is refused: the chart would travel unauthenticated.
 */
export function helmRepositoryProblem(url: string): string | undefined {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const allowed =
    'must be an https:// Helm repository (such as https://helm.cilium.io) or an OCI registry path oci://<registry>/<path> (such as oci://ghcr.io/org/charts)';
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'oci:')) {
    return `${allowed}, got ${JSON.stringify(url)}`;
  }
  if (parsed.hostname === '' || parsed.username !== '' || parsed.password !== '') {
    return `${allowed} without credentials (give Argo CD a repository secret instead), got ${JSON.stringify(url)}`;
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    return `${allowed} without query or fragment, got ${JSON.stringify(url)}`;
  }
  if (parsed.protocol === 'oci:' && url.endsWith('/')) {
    return `must not end with / (the chart name is appended: oci://<registry>/<path>/<chart>), got ${JSON.stringify(url)}`;
  }
  return undefined;
}

/** The fields of a `charts:` entry the Application's source is made of. */
export interface HelmChartSourceConfig {
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
}

/**
 * The Argo CD Application source of a chart, without its values.
 * - Helm repository: `repoURL` is the repository, `chart` the chart name, `targetRevision` its version
 *   (https://argo-cd.readthedocs.io/en/stable/user-guide/helm/).
 * - OCI: `repoURL` is the chart's own artifact, oci://<registry>/<path>/<chart> (the reference
 *   `helm install oci://…` takes), `targetRevision` its tag and `path` `.`, as Argo CD's OCI guide
 *   requires for a Helm chart artifact (https://argo-cd.readthedocs.io/en/release-3.4/user-guide/oci/).
 */
export function helmChartSource(chart: HelmChartSourceConfig): {
  repoURL: string;
  targetRevision: string;
  chart?: string;
  path?: string;
} {
  if (chart.repoURL.startsWith('oci://')) {
    return { repoURL: `${chart.repoURL}/${chart.chart}`, path: '.', targetRevision: chart.version };
  }
  return { repoURL: chart.repoURL, chart: chart.chart, targetRevision: chart.version };
}

/**
 * The placeholder a chart's `values` write where the chart takes its IAM role ARN (a service
 * account annotation, most often): the role differs per cluster (`<cluster>-chart-<name>`), and
 * the values are the chart's, for every cluster it targets.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: literal text a config writes, not a template
export const IAM_ROLE_ARN_PLACEHOLDER = '${iam.roleArn}';

/** Whether a values tree holds the placeholder in some string. */
export function valuesUsePlaceholder(values: unknown): boolean {
  if (typeof values === 'string') return values.includes(IAM_ROLE_ARN_PLACEHOLDER);
  if (Array.isArray(values)) return values.some(valuesUsePlaceholder);
  if (values !== null && typeof values === 'object') {
    return Object.values(values as Record<string, unknown>).some(valuesUsePlaceholder);
  }
  return false;
}

/** A copy of a values tree with every occurrence of the placeholder replaced by `roleArn`. */
export function withRoleArn(values: unknown, roleArn: string): unknown {
  if (typeof values === 'string') return values.split(IAM_ROLE_ARN_PLACEHOLDER).join(roleArn);
  if (Array.isArray(values)) return values.map((v) => withRoleArn(v, roleArn));
  if (values !== null && typeof values === 'object') {
    return Object.fromEntries(
      Object.entries(values as Record<string, unknown>).map(([k, v]) => [k, withRoleArn(v, roleArn)]),
    );
  }
  return values;
}

/**
 * The namespaces every cluster has and nobody creates or deletes (default, kube-*): a chart
 * installing there gets no CreateNamespace, and they are nobody's to prune.
 */
export function isSystemNamespace(namespace: string): boolean {
  // https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
  return namespace === 'default' || namespace.startsWith('kube-');
}
