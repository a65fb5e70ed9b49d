import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { DataAwsIamSessionContext } from '@cdktf/provider-aws/lib/data-aws-iam-session-context';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Fn, type Precondition, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ARGOCD_HELM } from '../../platform/images';
import { ARGOCD, clusterName, gitopsPath } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { awsProvider } from '../aws-provider';
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
    awsProvider(this, config);
    useStateBackend(this, config);
    // Deploy order only: `cdktf deploy` plans this stack once the cluster stack is applied.
    this.addDependency(clusterStack);

    const eks = new DataAwsEksCluster(this, 'cluster', {
      name,
      // Checked before the cluster is read, so before the helm provider is configured from it: a
      // run that cannot work stops with the reason instead of a connection timeout or a Forbidden.
      lifecycle: { precondition: this.bootstrapPreconditions(config, cluster) },
    });
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

  /**
   * What must hold for the bootstrap to work, checked at plan time:
   * - a private-only endpoint is reachable only from the VPC
   *   (https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html): the run must say it
   *   is inside it (`TF_VAR_inside_vpc=true`), or it stops with where to run it from;
   * - in API modes, installing Argo CD (CRDs, cluster roles) takes cluster admin, which only the
   *   access entries of clusterAdminRoleArns() give: the caller's role (the issuer of its session,
   *   path included) must be one of them.
   *   https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_session_context
   */
  private bootstrapPreconditions(config: PlatformConfig, cluster: ClusterConfig): Precondition[] {
    const name = clusterName(config, cluster);
    const conditions: Precondition[] = [];
    if (!cluster.endpoint.publicAccess) {
      const insideVpc = new TerraformVariable(this, INSIDE_VPC_VARIABLE, {
        type: 'bool',
        default: false,
        description: `true when this run reaches the VPC of ${name}, whose API endpoint is private only`,
      });
      conditions.push({
        condition: insideVpc.booleanValue,
        errorMessage: `${name} has a private API endpoint only (clusters[color=${cluster.color}].endpoint.publicAccess is false): run the bootstrap from a network that reaches the VPC (a CI runner in the VPC, an SSM port-forward through a VPC instance, a VPN; docs/gitops.md) and set TF_VAR_${INSIDE_VPC_VARIABLE}=true.`,
      });
    }
    const admins = clusterAdminRoleArns(config);
    if (admins.length > 0) {
      const caller = new DataAwsCallerIdentity(this, 'caller');
      const session = new DataAwsIamSessionContext(this, 'caller-session', { arn: caller.arn });
      conditions.push({
        // Compared without the role path: role names are unique in an account whatever their path,
        // and config may write an ARN without the path the session's issuer shows (SSO roles).
        condition: Fn.contains(
          admins.map((arn) => arn.replace(/:role\/(.*\/)?/, ':role/')),
          Fn.replace(session.issuerArn, '/:role/(.*/)?/', ':role/'),
        ),
        errorMessage: `The bootstrap of ${name} installs Argo CD, which takes cluster admin, but runs as ${session.issuerArn}, which has no cluster-admin access entry: run it as gitops.bootstrapRoleArn or an access role in system:masters (${admins.join(', ')}).`,
      });
    }
    return conditions;
  }
}

/** Name of the variable a run inside the VPC sets to bootstrap a cluster whose endpoint is private only. */
export const INSIDE_VPC_VARIABLE = 'inside_vpc';

/**
 * The roles that are cluster admin through access entries (API and API_AND_CONFIG_MAP modes): the
 * access roles in system:masters and gitops.bootstrapRoleArn. Empty in CONFIG_MAP mode, where the
 * identity that created the cluster is admin and Terraform cannot tell which one it was.
 */
export function clusterAdminRoleArns(config: PlatformConfig): string[] {
  if (config.authenticationMode === 'CONFIG_MAP') return [];
  const roles = config.access.filter((a) => a.groups.includes('system:masters')).map((a) => a.roleArn);
  const bootstrap = config.gitops.bootstrapRoleArn;
  return [...new Set([...roles, ...(bootstrap === undefined ? [] : [bootstrap])])];
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
