import { Chart } from 'cdk8s';
import { KubeNamespace } from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { addonEnabled } from '../../platform/addons';
import { appNamespace } from '../../platform/names';
import type { AppConfig, PlatformConfig } from '../../platform/schema';
import { AppAccessBindings } from '../constructs/app-access-bindings';
import { appTeam, PART_OF_LABEL, TEAM_LABEL } from '../constructs/app-labels';
import { AppNetworkPolicies } from '../constructs/app-network-policies';
import { AppWorkload } from '../constructs/app-workload';
import { annotateSyncWaves } from '../sync-waves';

/**
 * The Pod Security Standard the app namespaces enforce. The building blocks of
 * manifests/constructs meet it; a pod that does not is refused at admission, and `warn` shows the
 * refusal to whoever applies the Deployment instead of leaving a ReplicaSet silently empty.
 * https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

/**
 * With the AWS Load Balancer Controller, its pod webhook adds a readiness gate to the app's pods
 * behind its load balancers: a new pod counts as ready, and a rollout goes on, only once it is a
 * healthy target, so a rollout cannot take every registered target away
 * (https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/deploy/pod_readiness_gate.md).
 * The webhook fails open (failurePolicy Ignore): while the controller is down pods start without it.
 */
export const POD_READINESS_GATE_LABELS = { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } as const;

export interface AppChartProps {
  /** The environment the app runs in: its network (NetworkPolicies) and `appAccess` (RoleBindings). */
  readonly config: PlatformConfig;
  readonly app: AppConfig;
}

/**
 * One application team's workload on one cluster: the dist component `apps-<name>`, its own
 * namespace labelled with the owning team, the people's rights there (`appAccess`), the
 * NetworkPolicies that close it to everything the app does not need, and the workload built from
 * config.
 */
export class AppChart extends Chart {
  constructor(scope: Construct, id: string, props: AppChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { app, config } = props;
    new KubeNamespace(this, 'namespace', {
      metadata: {
        name: appNamespace(app),
        labels: {
          [PART_OF_LABEL]: app.name,
          [TEAM_LABEL]: appTeam(app),
          ...POD_SECURITY_LABELS,
          ...(addonEnabled(config, 'loadBalancerController') ? POD_READINESS_GATE_LABELS : {}),
        },
      },
    });
    new AppAccessBindings(this, 'access', { config, app });
    new AppNetworkPolicies(this, 'network-policies', { app, config });
    new AppWorkload(this, 'workload', {
      app,
      provider: addonEnabled(config, 'loadBalancerController')
        ? 'load-balancer-controller'
        : 'cloud-provider',
    });
    // Namespace first, then the ServiceAccount, RoleBindings and NetworkPolicies, then what runs under them.
    annotateSyncWaves(this);
  }
}
