import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Fn, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ARGOCD_HELM } from '../../platform/images';
import { ARGOCD, clusterName, gitopsPath } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { useStateBackend } from '../state-backend';

export interface BootstrapStackProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
  /**
   * The stack that creates the cluster. It is deployed first (a cdktf stack dependency); nothing
   * is read from it: the cluster is looked up by its name.
   */
  readonly clusterStack: TerraformStack;
}

/**
 * Restores Application health assessment, which Argo CD dropped in 1.8: without it the root
 * Application does not wait for one wave of Applications to be healthy before the next.
 * The Lua script is the one of Argo CD's documentation.
 * https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app
 */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';
const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/**
 * Argo CD on one cluster: the argo-cd Helm chart in namespace `argocd`, then, through the
 * argocd-apps chart, the root Application that syncs dist/<cluster>/argocd/ (the cluster's
 * AppProject and component Applications) and the project it alone belongs to.
 *
 * A stack of its own, deployed after the cluster stack (`<cluster>-bootstrap`): the helm provider
 * is configured from the cluster, and Terraform can only configure a provider from values known
 * at plan time, so the cluster must exist before this stack is planned. The cluster's endpoint and
 * CA come from the aws_eks_cluster data source, looked up by the name platform/names.ts gives it,
 * so the stack holds no cross-stack reference and can be destroyed before the cluster stack.
 */
export class BootstrapStack extends TerraformStack {
  /** The Argo CD release. */
  readonly argoCd: Release;
  /** The release of the root Application and its project; installed once Argo CD's CRDs exist. */
  readonly rootApplication: Release;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const { config, cluster, clusterStack } = props;
    const name = clusterName(config, cluster);
    new AwsProvider(this, 'aws', { region: config.region, defaultTags: [{ tags: config.tags }] });
    useStateBackend(this, config);
    // Deploy order only: `cdktf deploy` plans this stack once the cluster stack is applied.
    this.addDependency(clusterStack);

    const eks = new DataAwsEksCluster(this, 'cluster', { name });
    new HelmProvider(this, 'helm', {
      // The helm provider 3.x takes `kubernetes` as an attribute. The token comes from the AWS CLI
      // at each run (valid 15 minutes), never from state.
      // https://registry.terraform.io/providers/hashicorp/helm/latest/docs#exec-plugins
      kubernetes: {
        host: eks.endpoint,
        clusterCaCertificate: Fn.base64decode(eks.certificateAuthority.get(0).data),
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args: ['eks', 'get-token', '--cluster-name', name, '--region', config.region, '--output', 'json'],
        },
      },
    });

    this.argoCd = new Release(this, 'argocd', {
      name: 'argocd',
      repository: ARGOCD_HELM.repository,
      chart: ARGOCD_HELM.argoCd.chart,
      version: ARGOCD_HELM.argoCd.version,
      namespace: ARGOCD.namespace,
      createNamespace: true,
      values: [helmValues({ configs: { cm: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA } } })],
    });

    this.rootApplication = new Release(this, 'argocd-apps', {
      name: 'argocd-apps',
      repository: ARGOCD_HELM.repository,
      chart: ARGOCD_HELM.argoCdApps.chart,
      version: ARGOCD_HELM.argoCdApps.version,
      namespace: ARGOCD.namespace,
      values: [helmValues(rootApplicationValues(config, cluster))],
      // The Application and AppProject kinds are CRDs of the argo-cd chart.
      dependsOn: [this.argoCd],
    });
  }
}

/**
 * The values of the argocd-apps chart (2.x: `projects` and `applications` keyed by name): the root
 * Application and its project.
 *
 * The root Application cannot belong to the cluster's AppProject, which it creates itself (an
 * Application whose project does not exist is not synced). Its own project allows exactly what
 * dist/<cluster>/argocd/ holds: Applications and AppProjects in namespace argocd, from this
 * repository, and no cluster-scoped object.
 *
 * It has no resources finalizer: deleting it (uninstalling this release) leaves the component
 * Applications, and so every workload, in place.
 */
export function rootApplicationValues(config: PlatformConfig, cluster: ClusterConfig) {
  const destination = { server: ARGOCD.inClusterServer, namespace: ARGOCD.namespace };
  return {
    projects: {
      [ARGOCD.rootProject]: {
        namespace: ARGOCD.namespace,
        description: `The root Application of EKS cluster ${clusterName(config, cluster)}`,
        sourceRepos: [config.gitops.repoURL],
        destinations: [destination],
        namespaceResourceWhitelist: [
          { group: 'argoproj.io', kind: 'Application' },
          { group: 'argoproj.io', kind: 'AppProject' },
        ],
      },
    },
    applications: {
      [ARGOCD.rootApplication]: {
        namespace: ARGOCD.namespace,
        project: ARGOCD.rootProject,
        source: {
          repoURL: config.gitops.repoURL,
          targetRevision: config.gitops.revision,
          path: gitopsPath(config, cluster, ARGOCD.component),
        },
        destination,
        syncPolicy: {
          // An Application removed from dist/ is deleted, and its finalizer deletes its workloads.
          automated: { prune: true, selfHeal: true },
          syncOptions: ['ServerSideApply=true', 'PruneLast=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    },
  } as const;
}

/** Helm values as YAML: keys sorted so the synthesized JSON is byte-stable, no anchors. */
function helmValues(values: Record<string, unknown>): string {
  return stringify(values, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}
