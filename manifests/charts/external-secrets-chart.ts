import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { ADDONS } from '../../platform/addons';
import {
  CLUSTER_SECRET_STORE,
  EXTERNAL_SECRETS_API_VERSION,
  EXTERNAL_SECRETS_CHART,
  EXTERNAL_SECRETS_OPERATOR_APPLICATION,
  EXTERNAL_SECRETS_RELEASE,
} from '../../platform/external-secrets';
import {
  addonIrsaRole,
  appClusters,
  appNamespace,
  clusterName,
  IRSA_ROLE_ANNOTATION,
} from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import type { AddonChartProps } from '../addon-charts';
import { addonLabels } from '../constructs/addon-labels';
import { annotateSyncWaves } from '../sync-waves';
import type { HelmInstalledChart, HelmRelease } from './argocd-chart';

/**
 * Argo CD skips the dry run of an object whose kind the cluster does not serve yet, instead of
 * failing the whole sync (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#skip-dry-run-for-new-custom-resources-types):
 * the CRDs arrive with the operator's chart, in another Application.
 */
export const SKIP_DRY_RUN_OPTION = 'SkipDryRunOnMissingResource=true';
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * The chart's own requests hint (values.yaml at helm-chart-2.9.0: `resources: {}` with
 * `# requests: cpu: 10m, memory: 32Mi`), for the controller, the webhook and the cert controller:
 * a request lets the scheduler and cluster-autoscaler count them. No limit, as the chart.
 */
const REQUESTS = { requests: { cpu: '10m', memory: '32Mi' } } as const;

/**
 * The objects of the pinned chart (external-secrets/external-secrets deploy/charts/external-secrets
 * at helm-chart-2.9.0, templates/) with the values below: the CRDs (`installCRDs`, generated into
 * templates/crds at packaging), the ClusterRoles and ClusterRoleBindings of the controller, the
 * webhook, the cert controller and the aggregated view role (rbac.yaml, webhook-rbac.yaml,
 * cert-controller-rbac.yaml), and the two ValidatingWebhookConfigurations (validatingwebhook.yaml).
 */
export const EXTERNAL_SECRETS_CLUSTER_KINDS = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
] as const;

/**
 * Its namespaced objects with these values: three Deployments (deployment.yaml,
 * webhook-deployment.yaml, cert-controller-deployment.yaml), their ServiceAccounts, the webhook's
 * Service and its certificate Secret (webhook-service.yaml, webhook-secret.yaml), and the leader
 * election Role and RoleBinding (rbac.yaml). PodDisruptionBudgets, NetworkPolicies,
 * ServiceMonitors, the metrics Services and the dashboard ConfigMap are off by default.
 */
export const EXTERNAL_SECRETS_NAMESPACED_KINDS = [
  { group: 'apps', kind: 'Deployment' },
  { group: '', kind: 'Secret' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
] as const;

/**
 * The Helm values of the operator. Everything not set here is the chart's default, cited:
 * - every container runs as user 1000, non-root, read-only root filesystem, no privilege
 *   escalation, all capabilities dropped, RuntimeDefault seccomp (`securityContext`,
 *   `webhook.securityContext`, `certController.securityContext`);
 * - the webhook validates only External Secrets' own kinds (SecretStore, ClusterSecretStore,
 *   ExternalSecret), with `failurePolicy: Fail` (`webhook.failurePolicy`): while it is down those
 *   kinds cannot be created, changed or deleted, and nothing else is affected; its certificate is
 *   made and rotated by the cert controller (`certController.create`), without cert-manager;
 * - one replica each, no leader election, no PodDisruptionBudget.
 * Changed:
 * - `serviceAccount.annotations`: the IRSA role of the controller's ServiceAccount;
 * - `rbac.serviceAccountTokenCreate: false`: the controller may not mint tokens for other
 *   ServiceAccounts, which only stores authenticating with `auth.jwt` need; the platform's store
 *   uses the controller's own role;
 * - `rbac.aggregateToEdit`, `rbac.aggregateToAdmin: false`: the built-in edit and admin roles do
 *   not get to create ExternalSecrets, so nobody bound to them in an app namespace can point one at
 *   another app's secret; ExternalSecrets come from config (`apps[].secrets`) through Argo CD.
 *   `view` still shows them;
 * - requests for the three Deployments (`REQUESTS`).
 */
export function externalSecretsValues(roleArn: string): Record<string, unknown> {
  return {
    installCRDs: true,
    serviceAccount: { annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } },
    rbac: { serviceAccountTokenCreate: false, aggregateToEdit: false, aggregateToAdmin: false },
    resources: REQUESTS,
    webhook: { failurePolicy: 'Fail', resources: REQUESTS },
    certController: { resources: REQUESTS },
  };
}

/** The app namespaces of this cluster whose apps declare secrets. */
export function secretNamespaces(config: PlatformConfig, cluster: ClusterConfig): string[] {
  return [
    ...new Set(
      config.apps
        .filter((app) => app.secrets.length > 0 && appClusters(config, app).includes(cluster.color))
        .map(appNamespace),
    ),
  ].sort();
}

/**
 * External Secrets Operator (`addons.externalSecrets`): installed by Argo CD from the upstream
 * chart at an exact version (`helmRelease`, an Application and AppProject of its own in
 * dist/<cluster>/argocd/, synced in the `operators` wave, before this component), and, rendered
 * here, the ClusterSecretStore `aws-secrets-manager` the apps' ExternalSecrets read from.
 *
 * The store names no credentials (`auth`): the provider then uses the controller's own AWS
 * credentials, which IRSA gives it (docs/provider/aws-access.md at helm-chart-2.9.0, "Controller's
 * Pod Identity": with no other authentication, the controller's role makes every call), so one
 * role, trusted for the controller's ServiceAccount only, is the only identity. `auth.jwt.serviceAccountRef` would make the controller mint tokens for a named
 * ServiceAccount (`serviceaccounts/token create`, turned off above) for the same role.
 * `conditions` lets only the namespaces of apps that declare secrets use the store
 * (pkg/controllers/secretstore/client_manager.go, `shouldProcessSecret`: a condition with no
 * namespace matches none).
 */
export class ExternalSecretsChart extends Chart implements HelmInstalledChart {
  readonly helmRelease: HelmRelease;

  constructor(scope: Construct, id: string, props: AddonChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster } = props;
    const definition = ADDONS.externalSecrets;
    const role = addonIrsaRole(config, cluster, definition);
    this.helmRelease = {
      application: EXTERNAL_SECRETS_OPERATOR_APPLICATION,
      releaseName: EXTERNAL_SECRETS_RELEASE,
      description: `External Secrets Operator (addons.externalSecrets, chart ${EXTERNAL_SECRETS_CHART.chart} ${EXTERNAL_SECRETS_CHART.version}) on EKS cluster ${clusterName(config, cluster)}, rendered by npm run synth`,
      source: EXTERNAL_SECRETS_CHART,
      namespace: definition.namespace,
      otherNamespaces: [],
      clusterResources: EXTERNAL_SECRETS_CLUSTER_KINDS,
      namespaceResources: EXTERNAL_SECRETS_NAMESPACED_KINDS,
      values: externalSecretsValues(role.roleArn),
      wave: 'operators',
    };
    new ApiObject(this, 'store', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ClusterSecretStore',
      metadata: {
        name: CLUSTER_SECRET_STORE,
        labels: addonLabels(definition.component),
        annotations: { [SYNC_OPTIONS_ANNOTATION]: SKIP_DRY_RUN_OPTION },
      },
      spec: {
        provider: { aws: { service: 'SecretsManager', region: config.region } },
        conditions: [{ namespaces: secretNamespaces(config, cluster) }],
      },
    });
    annotateSyncWaves(this);
  }
}
