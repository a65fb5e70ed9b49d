import { ApiObject, Chart } from 'cdk8s';
import {
  IntOrString,
  type JobSpec,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeIngressClass,
  KubeJob,
  KubeMutatingWebhookConfiguration,
  KubeRole,
  KubeRoleBinding,
  KubeService,
  KubeServiceAccount,
  KubeValidatingWebhookConfiguration,
  type MutatingWebhook,
  type PolicyRule,
  type ValidatingWebhook,
} from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { ADDONS } from '../../platform/addons';
import { AWS_LOAD_BALANCER_CONTROLLER_IMAGE, KUBE_WEBHOOK_CERTGEN_IMAGE } from '../../platform/images';
import { clusterName, irsaRole, vpcName } from '../../platform/names';
import type { AddonChartProps } from '../addon-charts';
import type { IgnoreDifference, IgnoresDifferences } from '../charts/argocd-chart';
import { addonLabels } from '../constructs/addon-labels';
import { addonResources } from '../constructs/addon-resources';
import { AddonWorkload } from '../constructs/addon-workload';
import { ALB_INGRESS_CLASS, ALB_INGRESS_CONTROLLER } from '../constructs/alb-ingress';
import { DisruptionBudget } from '../constructs/disruption-budget';
import { preferEssentialNodes } from '../constructs/essential-node-affinity';
import { IrsaServiceAccount } from '../constructs/irsa-service-account';
import {
  NON_ROOT_UID,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from '../constructs/restricted-pod-spec';
import { AWS_LOAD_BALANCER_CONTROLLER_CRDS_YAML } from '../data/aws-load-balancer-controller-crds';
import { annotateSyncWaves, SYNC_WAVE_ANNOTATION, SYNC_WAVES } from '../sync-waves';

const { component: NAME, namespace: NAMESPACE } = ADDONS.loadBalancerController;

/**
 * The upstream chart every object here is taken from: kubernetes-sigs/aws-load-balancer-controller
 * helm/aws-load-balancer-controller at tag v3.5.0 (chart 3.5.0, appVersion v3.5.0): templates/
 * deployment.yaml, rbac.yaml, webhook.yaml, service.yaml, ingressclass.yaml, _helpers.tpl, crds/
 * crds.yaml and values.yaml, rendered with release name aws-load-balancer-controller.
 */
export const AWS_LOAD_BALANCER_CONTROLLER_CHART_SOURCE =
  'https://github.com/kubernetes-sigs/aws-load-balancer-controller/tree/v3.5.0/helm/aws-load-balancer-controller';

/** The `namePrefix` of upstream's _helpers.tpl: the chart name without `-controller`. */
const PREFIX = 'aws-load-balancer';
/** Both webhook configurations (upstream `<namePrefix>-webhook`). */
export const LOAD_BALANCER_WEBHOOK_NAME = `${PREFIX}-webhook`;
/** The webhook Service (upstream `<namePrefix>-webhook-service`). */
export const LOAD_BALANCER_WEBHOOK_SERVICE = `${PREFIX}-webhook-service`;
/** The Secret of the webhook's serving certificate (upstream `<namePrefix>-tls`). */
export const LOAD_BALANCER_WEBHOOK_SECRET = `${PREFIX}-tls`;
/** The certificate job's ServiceAccount, Role and ClusterRole. */
export const LOAD_BALANCER_CERTGEN_NAME = `${PREFIX}-webhook-certgen`;

/** Where controller-runtime's webhook server reads tls.crt and tls.key (upstream deployment.yaml). */
export const WEBHOOK_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
/** The webhook server's port (upstream `webhookBindPort` default). */
export const WEBHOOK_PORT = 9443;
/** The metrics port (upstream `metricsBindAddr` default :8080). */
export const METRICS_PORT = 8080;
/** The health probe port of upstream values.yaml's probes. */
export const HEALTH_PORT = 61779;

/**
 * The controller's arguments: upstream deployment.yaml's `--cluster-name` and `--ingress-class`,
 * and the values this platform sets:
 * - `--aws-region` and `--aws-vpc-tags`: the nodes answer IMDS only within one network hop
 *   (infra/constructs/managed-node-groups.ts, httpPutResponseHopLimit 1), so a pod cannot read
 *   the region or the VPC from it, and the controller would exit ("failed to introspect region
 *   from EC2Metadata"). The VPC ID is not known when the manifests are rendered (DESIGN §5), so
 *   the controller finds the VPC by its Name tag (`vpcName()`, set by the network stack) with
 *   ec2:DescribeVpcs, and exits if none or several match (pkg/aws/cloud.go `inferVPCIDFromTags`
 *   at v3.5.0).
 * - `--enable-waf=false --enable-wafv2=false --enable-shield=false`: the controller then never
 *   calls WAF or Shield, which its IAM role does not allow (infra/policies/aws-load-balancer-controller-policy.ts).
 * - `--feature-gates=ALBGatewayAPI=false,NLBGatewayAPI=false`: no Gateway API; its CRDs
 *   (crds/gateway-crds.yaml) are not installed either.
 */
export function loadBalancerControllerArgs(props: {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcName: string;
}): string[] {
  return [
    `--cluster-name=${props.clusterName}`,
    `--ingress-class=${ALB_INGRESS_CLASS}`,
    `--aws-region=${props.region}`,
    `--aws-vpc-tags=Name=${props.vpcName}`,
    '--enable-shield=false',
    '--enable-waf=false',
    '--enable-wafv2=false',
    '--feature-gates=ALBGatewayAPI=false,NLBGatewayAPI=false',
  ];
}

/**
 * The controller's ClusterRole, upstream rbac.yaml's rules verbatim (generated upstream from
 * config/rbac/role.yaml), without `clusterSecretsPermissions.allowAllSecrets` (off upstream too).
 */
export const LOAD_BALANCER_CONTROLLER_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'delete', 'get', 'update'] },
  {
    apiGroups: [''],
    resources: ['endpoints', 'namespaces', 'nodes', 'pods'],
    verbs: ['get', 'list', 'watch'],
  },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['pods/status', 'services/status'], verbs: ['patch', 'update'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'patch', 'update', 'watch'] },
  { apiGroups: ['aga.k8s.aws'], resources: ['globalaccelerators'], verbs: ['get', 'list', 'patch', 'watch'] },
  {
    apiGroups: ['aga.k8s.aws'],
    resources: ['globalaccelerators/finalizers', 'globalaccelerators/status'],
    verbs: ['patch', 'update'],
  },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['elbv2.k8s.aws'], resources: ['albtargetcontrolconfigs'], verbs: ['get'] },
  { apiGroups: ['elbv2.k8s.aws'], resources: ['ingressclassparams'], verbs: ['get', 'list', 'watch'] },
  {
    apiGroups: ['elbv2.k8s.aws'],
    resources: ['targetgroupbindings'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  { apiGroups: ['elbv2.k8s.aws'], resources: ['targetgroupbindings/status'], verbs: ['patch', 'update'] },
  {
    apiGroups: ['extensions', 'networking.k8s.io'],
    resources: ['ingresses'],
    verbs: ['get', 'list', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: ['extensions', 'networking.k8s.io'],
    resources: ['ingresses/status'],
    verbs: ['patch', 'update'],
  },
  {
    apiGroups: ['gateway.k8s.aws'],
    resources: ['listenerruleconfigurations', 'loadbalancerconfigurations', 'targetgroupconfigurations'],
    verbs: ['get', 'list', 'patch', 'watch'],
  },
  {
    apiGroups: ['gateway.k8s.aws'],
    resources: [
      'listenerruleconfigurations/finalizers',
      'loadbalancerconfigurations/finalizers',
      'targetgroupconfigurations/finalizers',
    ],
    verbs: ['patch', 'update'],
  },
  {
    apiGroups: ['gateway.k8s.aws'],
    resources: [
      'listenerruleconfigurations/status',
      'loadbalancerconfigurations/status',
      'targetgroupconfigurations/status',
    ],
    verbs: ['get', 'patch', 'update'],
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['gatewayclasses', 'gateways', 'referencegrants'],
    verbs: ['get', 'list', 'patch', 'watch'],
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['gatewayclasses/finalizers', 'gateways/finalizers'],
    verbs: ['patch', 'update'],
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: [
      'gatewayclasses/status',
      'gateways/status',
      'grpcroutes/status',
      'httproutes/status',
      'listenersets/status',
      'tcproutes/status',
      'tlsroutes/status',
      'udproutes/status',
    ],
    verbs: ['get', 'patch', 'update'],
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['grpcroutes', 'httproutes', 'listenersets', 'tcproutes', 'tlsroutes', 'udproutes'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: [
      'grpcroutes/finalizers',
      'httproutes/finalizers',
      'listenersets/finalizers',
      'tcproutes/finalizers',
      'tlsroutes/finalizers',
      'udproutes/finalizers',
    ],
    verbs: ['update'],
  },
  { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['get', 'list', 'watch'] },
];

/** Upstream rbac.yaml's leader-election Role (the lease and, for older releases, the ConfigMap). */
export const LOAD_BALANCER_LEADER_ELECTION_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
  {
    apiGroups: [''],
    resources: ['configmaps'],
    resourceNames: ['aws-load-balancer-controller-leader'],
    verbs: ['get', 'patch', 'update'],
  },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    resourceNames: ['aws-load-balancer-controller-leader'],
    verbs: ['get', 'update', 'patch'],
  },
];

/** The label that keeps the webhooks off the controller's own pods (upstream objectSelector). */
const NOT_THE_CONTROLLER = {
  key: 'app.kubernetes.io/name',
  operator: 'NotIn',
  values: [NAME],
};

function clientConfig(path: string) {
  // No caBundle: the certgen patch job writes it in the cluster (see the class comment).
  return { service: { name: LOAD_BALANCER_WEBHOOK_SERVICE, namespace: NAMESPACE, path } };
}

const POD_CREATE = [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }];
const TARGET_GROUP_BINDINGS = [
  {
    apiGroups: ['elbv2.k8s.aws'],
    apiVersions: ['v1beta1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['targetgroupbindings'],
  },
];

/**
 * Upstream webhook.yaml's mutating webhooks, without `mservice.elbv2.k8s.aws`
 * (`enableServiceMutatorWebhook: false`): upstream's Service mutator intercepts the creation of
 * every Service of the cluster with failurePolicy Fail, so while the controller is down no
 * Service could be created anywhere; it only defaults `loadBalancerClass`, and the apps' Services
 * name the controller with their annotations instead (manifests/constructs/http-service.ts). The
 * pod webhooks only act in namespaces or on pods that opt in by label, so a controller outage
 * never blocks other pods: readiness gates (failurePolicy Ignore, upstream default), QUIC server
 * IDs and the ALB target-control agent (Fail, upstream, on opted-in objects only).
 */
export function loadBalancerMutatingWebhooks(): MutatingWebhook[] {
  const common = { admissionReviewVersions: ['v1'], sideEffects: 'None' };
  return [
    {
      ...common,
      name: 'mpod.elbv2.k8s.aws',
      clientConfig: clientConfig('/mutate-v1-pod'),
      failurePolicy: 'Ignore',
      namespaceSelector: {
        matchExpressions: [
          { key: 'elbv2.k8s.aws/pod-readiness-gate-inject', operator: 'In', values: ['enabled'] },
        ],
      },
      objectSelector: { matchExpressions: [NOT_THE_CONTROLLER] },
      rules: POD_CREATE,
    },
    {
      ...common,
      name: 'quicid.elbv2.k8s.aws',
      clientConfig: clientConfig('/mutate-v1-pod-server-id'),
      failurePolicy: 'Fail',
      namespaceSelector: {
        matchExpressions: [
          { key: 'elbv2.k8s.aws/quic-server-id-inject', operator: 'In', values: ['enabled'] },
        ],
      },
      objectSelector: { matchExpressions: [NOT_THE_CONTROLLER] },
      rules: POD_CREATE,
    },
    {
      ...common,
      name: 'alb-target-control.namespace.elbv2.k8s.aws',
      clientConfig: clientConfig('/mutate-alb-target-control-namespace-v1-pod'),
      failurePolicy: 'Fail',
      namespaceSelector: {
        matchExpressions: [
          { key: 'elbv2.k8s.aws/alb-target-control-agent-injection', operator: 'In', values: ['enabled'] },
        ],
      },
      objectSelector: {
        matchExpressions: [
          NOT_THE_CONTROLLER,
          { key: 'elbv2.k8s.aws/alb-target-control-agent-inject', operator: 'NotIn', values: ['false'] },
        ],
      },
      rules: POD_CREATE,
    },
    {
      ...common,
      name: 'alb-target-control.object.elbv2.k8s.aws',
      clientConfig: clientConfig('/mutate-alb-target-control-object-v1-pod'),
      failurePolicy: 'Fail',
      namespaceSelector: {
        matchExpressions: [
          { key: 'elbv2.k8s.aws/alb-target-control-agent-injection', operator: 'DoesNotExist' },
        ],
      },
      objectSelector: {
        matchExpressions: [
          NOT_THE_CONTROLLER,
          { key: 'elbv2.k8s.aws/alb-target-control-agent-inject', operator: 'In', values: ['true'] },
        ],
      },
      rules: POD_CREATE,
    },
    {
      ...common,
      name: 'mtargetgroupbinding.elbv2.k8s.aws',
      clientConfig: clientConfig('/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding'),
      failurePolicy: 'Fail',
      rules: TARGET_GROUP_BINDINGS,
    },
  ];
}

/**
 * Upstream webhook.yaml's validating webhooks, with `vingress.elbv2.k8s.aws` at failurePolicy
 * Ignore (upstream `webhookConfig.ingressValdationFailurePolicy: Fail`): it intercepts every
 * Ingress of the cluster, whatever its class, so with Fail a controller outage would block every
 * Ingress change; the controller checks an Ingress again when it reconciles it and reports a
 * problem as an event. The GlobalAccelerator webhook is left out with its feature gate (off).
 */
export function loadBalancerValidatingWebhooks(): ValidatingWebhook[] {
  const common = { admissionReviewVersions: ['v1'], sideEffects: 'None' };
  return [
    {
      ...common,
      name: 'vingressclassparams.elbv2.k8s.aws',
      clientConfig: clientConfig('/validate-elbv2-k8s-aws-v1beta1-ingressclassparams'),
      failurePolicy: 'Fail',
      objectSelector: { matchExpressions: [NOT_THE_CONTROLLER] },
      rules: [
        {
          apiGroups: ['elbv2.k8s.aws'],
          apiVersions: ['v1beta1'],
          operations: ['CREATE', 'UPDATE'],
          resources: ['ingressclassparams'],
        },
      ],
    },
    {
      ...common,
      name: 'vtargetgroupbinding.elbv2.k8s.aws',
      clientConfig: clientConfig('/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding'),
      failurePolicy: 'Fail',
      rules: TARGET_GROUP_BINDINGS,
    },
    {
      ...common,
      name: 'vingress.elbv2.k8s.aws',
      clientConfig: clientConfig('/validate-networking-v1-ingress'),
      failurePolicy: 'Ignore',
      matchPolicy: 'Equivalent',
      rules: [
        {
          apiGroups: ['networking.k8s.io'],
          apiVersions: ['v1'],
          operations: ['CREATE', 'UPDATE'],
          resources: ['ingresses'],
        },
      ],
    },
  ];
}

/**
 * The fields Argo CD must leave to the certgen patch job: the CA bundle of every webhook, absent
 * from dist/ and written in the cluster (the jq form Argo CD documents for lists,
 * https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/).
 */
export const LOAD_BALANCER_IGNORE_DIFFERENCES: readonly IgnoreDifference[] = [
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
].map((kind) => ({
  group: 'admissionregistration.k8s.io',
  kind,
  name: LOAD_BALANCER_WEBHOOK_NAME,
  jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
}));

/** The CustomResourceDefinitions of upstream crds/crds.yaml, parsed once. */
let crds: readonly Record<string, unknown>[] | undefined;
export function loadBalancerControllerCrds(): readonly Record<string, unknown>[] {
  crds ??= parseAllDocuments(AWS_LOAD_BALANCER_CONTROLLER_CRDS_YAML).map(
    (document) => document.toJS() as Record<string, unknown>,
  );
  return crds;
}

/**
 * The AWS Load Balancer Controller (`addons.loadBalancerController`), rendered natively from its
 * upstream chart (AWS_LOAD_BALANCER_CONTROLLER_CHART_SOURCE): every object is in dist/ and in its
 * review diff, like the other add-ons, including the four CRDs of crds/crds.yaml (vendored
 * verbatim, manifests/data/aws-load-balancer-controller-crds.ts).
 *
 * Taken from upstream: the image, the ServiceAccount name, the ClusterRole and leader-election
 * Role (verbatim), the webhook server's port 9443, certificate directory and Service
 * `aws-load-balancer-webhook-service` on 443, the metrics port, the liveness (/healthz) and
 * readiness (/readyz) probes on 61779 with their timings, 2 replicas spread over nodes, priority
 * system-cluster-critical, terminationGracePeriodSeconds 10, read-only root filesystem and non-root
 * (its image is distroless nonroot, 65532), the IngressClass `alb` (no IngressClassParams: upstream
 * renders one with an empty spec, which the IngressClass then does not reference).
 *
 * Deviations, pinned by test/manifests/addons-aws-load-balancer-controller.test.ts:
 * - the arguments of `loadBalancerControllerArgs` (region and VPC without IMDS, no WAF, Shield or
 *   Gateway API);
 * - the webhooks (`loadBalancerMutatingWebhooks`, `loadBalancerValidatingWebhooks`): no Service
 *   mutator, Ingress validation failing open;
 * - the webhook certificate. Upstream's chart makes it with Helm's genCA at every render: a new CA
 *   and key each time, so rendered here the Secret and every caBundle would change at each synth,
 *   and Argo CD would roll the controller's certificate on every sync. Instead two Argo CD Sync
 *   hooks run kube-webhook-certgen (KUBE_WEBHOOK_CERTGEN_IMAGE, as ingress-nginx does): `create`
 *   (wave -1, before the controller) writes the Secret `aws-load-balancer-tls` once and leaves an
 *   existing one alone, `patch` (after the webhook configurations) writes its CA into every
 *   webhook's caBundle. dist/ never holds a key, each render is identical, and the Application
 *   ignores the caBundle fields (LOAD_BALANCER_IGNORE_DIFFERENCES) so the cluster's value is
 *   neither reported as drift nor removed. The certificate is valid for 100 years (certgen);
 *   deleting the Secret and syncing makes a new one. cert-manager would renew it, but it is not a
 *   platform add-on, and installing it for one certificate adds more than it saves.
 * - requests and a memory limit (upstream sets none), a PodDisruptionBudget (upstream: none by
 *   default), a preference for essential nodes.
 */
export class AwsLoadBalancerControllerChart extends Chart implements IgnoresDifferences {
  readonly argoCdIgnoreDifferences = LOAD_BALANCER_IGNORE_DIFFERENCES;

  constructor(scope: Construct, id: string, props: AddonChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster } = props;
    const role = irsaRole(config, cluster, 'load-balancer-controller');
    const labels = addonLabels(NAME);

    for (const crd of loadBalancerControllerCrds()) {
      const metadata = crd.metadata as { name: string };
      new ApiObject(this, `crd-${metadata.name}`, crd as never);
    }

    new IrsaServiceAccount(this, 'irsa', { role, labels });
    new KubeRole(this, 'leader-election-role', {
      metadata: { name: `${NAME}-leader-election-role`, namespace: NAMESPACE, labels },
      rules: LOAD_BALANCER_LEADER_ELECTION_RULES,
    });
    new KubeRoleBinding(this, 'leader-election-role-binding', {
      metadata: { name: `${NAME}-leader-election-rolebinding`, namespace: NAMESPACE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-leader-election-role` },
      subjects: [{ kind: 'ServiceAccount', name: role.serviceAccount, namespace: role.namespace }],
    });
    new KubeClusterRole(this, 'cluster-role', {
      metadata: { name: `${NAME}-role`, labels },
      rules: LOAD_BALANCER_CONTROLLER_RULES,
    });
    new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: `${NAME}-rolebinding`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${NAME}-role` },
      subjects: [{ kind: 'ServiceAccount', name: role.serviceAccount, namespace: role.namespace }],
    });

    new AddonWorkload(this, 'deployment', {
      controller: { kind: 'Deployment', replicas: 2 },
      name: NAME,
      namespace: NAMESPACE,
      labels,
      uid: NON_ROOT_UID,
      serviceAccountName: role.serviceAccount,
      priorityClassName: 'system-cluster-critical',
      terminationGracePeriodSeconds: 10,
      affinity: {
        ...preferEssentialNodes(),
        // Upstream's default affinity (configureDefaultAffinity): the two replicas on two nodes.
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                labelSelector: {
                  matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [NAME] }],
                },
                topologyKey: 'kubernetes.io/hostname',
              },
            },
          ],
        },
      },
      containers: [
        {
          name: NAME,
          image: AWS_LOAD_BALANCER_CONTROLLER_IMAGE,
          args: loadBalancerControllerArgs({
            clusterName: clusterName(config, cluster),
            region: config.region,
            vpcName: vpcName(config),
          }),
          ports: [
            { name: 'webhook-server', containerPort: WEBHOOK_PORT, protocol: 'TCP' },
            { name: 'metrics-server', containerPort: METRICS_PORT, protocol: 'TCP' },
          ],
          livenessProbe: {
            failureThreshold: 2,
            httpGet: { path: '/healthz', port: IntOrString.fromNumber(HEALTH_PORT), scheme: 'HTTP' },
            initialDelaySeconds: 30,
            timeoutSeconds: 10,
          },
          readinessProbe: {
            failureThreshold: 2,
            httpGet: { path: '/readyz', port: IntOrString.fromNumber(HEALTH_PORT), scheme: 'HTTP' },
            successThreshold: 1,
            initialDelaySeconds: 10,
            timeoutSeconds: 10,
          },
          // Not from upstream (it sets none): the controller caches the cluster's pods, nodes,
          // Services and EndpointSlices, so its memory grows with the cluster.
          resources: addonResources({ cpu: '100m', memory: '256Mi', memoryLimit: '1Gi' }),
          volumeMounts: [{ name: 'cert', mountPath: WEBHOOK_CERT_DIR, readOnly: true }],
        },
      ],
      volumes: [{ name: 'cert', secret: { secretName: LOAD_BALANCER_WEBHOOK_SECRET, defaultMode: 0o644 } }],
    });
    new DisruptionBudget(this, 'budget', { name: NAME, namespace: NAMESPACE, selector: labels, labels });

    new KubeService(this, 'webhook-service', {
      metadata: {
        name: LOAD_BALANCER_WEBHOOK_SERVICE,
        namespace: NAMESPACE,
        labels: { ...labels, 'app.kubernetes.io/component': 'webhook' },
      },
      spec: {
        ports: [{ name: 'webhook-server', port: 443, targetPort: IntOrString.fromString('webhook-server') }],
        selector: { ...labels },
      },
    });

    new KubeMutatingWebhookConfiguration(this, 'mutating-webhook', {
      metadata: { name: LOAD_BALANCER_WEBHOOK_NAME, labels },
      webhooks: loadBalancerMutatingWebhooks(),
    });
    new KubeValidatingWebhookConfiguration(this, 'validating-webhook', {
      metadata: { name: LOAD_BALANCER_WEBHOOK_NAME, labels },
      webhooks: loadBalancerValidatingWebhooks(),
    });

    new KubeIngressClass(this, 'ingress-class', {
      metadata: { name: ALB_INGRESS_CLASS, labels },
      spec: { controller: ALB_INGRESS_CONTROLLER },
    });

    const jobs = this.certificateJobs(labels);
    annotateSyncWaves(this);
    // After annotateSyncWaves, which gives Jobs the workloads' wave: create before the controller
    // mounts the Secret, patch after the webhook configurations exist.
    jobs.create.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SYNC_WAVES.prerequisites + 1));
    jobs.patch.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SYNC_WAVES.registrations + 1));
  }

  /**
   * The certgen ServiceAccount, its rights (the one Secret; the two webhook configurations, by
   * name), and the create and patch Jobs as Argo CD Sync hooks, re-created at each sync
   * (BeforeHookCreation) and deleted once they succeed (HookSucceeded). Arguments as ingress-nginx
   * 4.15.1's job-createSecret.yaml and job-patchWebhook.yaml, with the key names controller-runtime
   * reads (tls.crt, tls.key).
   */
  private certificateJobs(labels: Record<string, string>): { create: KubeJob; patch: KubeJob } {
    const jobLabels = { ...labels, 'app.kubernetes.io/component': 'webhook-certgen' };
    new KubeServiceAccount(this, 'certgen-service-account', {
      metadata: { name: LOAD_BALANCER_CERTGEN_NAME, namespace: NAMESPACE, labels: jobLabels },
    });
    new KubeRole(this, 'certgen-role', {
      metadata: { name: LOAD_BALANCER_CERTGEN_NAME, namespace: NAMESPACE, labels: jobLabels },
      rules: [
        // create cannot be limited by name (the object does not exist yet).
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [LOAD_BALANCER_WEBHOOK_SECRET],
          verbs: ['get'],
        },
      ],
    });
    new KubeRoleBinding(this, 'certgen-role-binding', {
      metadata: { name: LOAD_BALANCER_CERTGEN_NAME, namespace: NAMESPACE, labels: jobLabels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: LOAD_BALANCER_CERTGEN_NAME },
      subjects: [{ kind: 'ServiceAccount', name: LOAD_BALANCER_CERTGEN_NAME, namespace: NAMESPACE }],
    });
    new KubeClusterRole(this, 'certgen-cluster-role', {
      metadata: { name: LOAD_BALANCER_CERTGEN_NAME, labels: jobLabels },
      rules: [
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
          resourceNames: [LOAD_BALANCER_WEBHOOK_NAME],
          verbs: ['get', 'update'],
        },
      ],
    });
    new KubeClusterRoleBinding(this, 'certgen-cluster-role-binding', {
      metadata: { name: LOAD_BALANCER_CERTGEN_NAME, labels: jobLabels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: LOAD_BALANCER_CERTGEN_NAME,
      },
      subjects: [{ kind: 'ServiceAccount', name: LOAD_BALANCER_CERTGEN_NAME, namespace: NAMESPACE }],
    });
    const job = (id: string, name: string, args: string[]) =>
      new KubeJob(this, id, {
        metadata: {
          name,
          namespace: NAMESPACE,
          labels: jobLabels,
          annotations: {
            'argocd.argoproj.io/hook': 'Sync',
            'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
          },
        },
        spec: certgenJobSpec(jobLabels, name, args),
      });
    const create = job('certgen-create', `${LOAD_BALANCER_CERTGEN_NAME}-create`, [
      'create',
      `--host=${LOAD_BALANCER_WEBHOOK_SERVICE},${LOAD_BALANCER_WEBHOOK_SERVICE}.${NAMESPACE}.svc`,
      `--namespace=${NAMESPACE}`,
      `--secret-name=${LOAD_BALANCER_WEBHOOK_SECRET}`,
      '--cert-name=tls.crt',
      '--key-name=tls.key',
    ]);
    const patch = job('certgen-patch', `${LOAD_BALANCER_CERTGEN_NAME}-patch`, [
      'patch',
      `--webhook-name=${LOAD_BALANCER_WEBHOOK_NAME}`,
      `--namespace=${NAMESPACE}`,
      '--patch-mutating=true',
      '--patch-validating=true',
      `--secret-name=${LOAD_BALANCER_WEBHOOK_SECRET}`,
    ]);
    return { create, patch };
  }
}

/** A certgen Job's spec: restricted, on the image's nonroot user, retried by the kubelet. */
function certgenJobSpec(labels: Record<string, string>, name: string, args: string[]): JobSpec {
  return {
    backoffLimit: 6,
    template: {
      metadata: { labels: { ...labels } },
      spec: {
        serviceAccountName: LOAD_BALANCER_CERTGEN_NAME,
        enableServiceLinks: false,
        restartPolicy: 'OnFailure',
        securityContext: restrictedPodSecurityContext(NON_ROOT_UID),
        affinity: preferEssentialNodes(),
        containers: [
          {
            name,
            image: KUBE_WEBHOOK_CERTGEN_IMAGE,
            args,
            securityContext: { runAsNonRoot: true, ...restrictedContainerSecurityContext() },
            resources: addonResources({ cpu: '10m', memory: '32Mi', memoryLimit: '64Mi' }),
          },
        ],
      },
    },
  };
}
