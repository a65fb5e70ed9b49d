import { IntOrString, KubeService } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { DNS_NAME_ANNOTATIONS } from '../../platform/names';
import { HTTP_PORT_NAME } from './http-deployment';

/** The port clients use, whatever the container listens on. */
export const SERVICE_PORT = 80;

/** A record name published by external-dns in the private or the public hosted zone. */
export interface DnsPublication {
  readonly zone: keyof typeof DNS_NAME_ANNOTATIONS;
  /** Record name, first label of `<record>.eks-<color>.<zone>` and of the live `<record>.<zone>`. */
  readonly record: string;
}

export interface HttpServiceProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods behind the Service: the workload's selector. */
  readonly selector: Record<string, string>;
  /**
   * Publishes the Service through a Network Load Balancer and a DNS record.
   * @default - a ClusterIP Service, reachable inside the cluster only
   */
  readonly publish?: DnsPublication;
  /** @default - no labels */
  readonly labels?: Record<string, string>;
  /** Which controller makes the load balancer of a published Service. @default 'cloud-provider' */
  readonly provider?: LoadBalancerProvider;
}

/**
 * Which controller makes a published Service's load balancer:
 * - `cloud-provider`: the AWS cloud provider's Service controller, the one EKS runs in its control
 *   plane (https://cloud-provider-aws.sigs.k8s.io/service_controller/), present on every EKS
 *   cluster; EKS documents it as receiving only critical fixes
 *   (https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html).
 * - `load-balancer-controller`: the AWS Load Balancer Controller add-on
 *   (`addons.loadBalancerController`, manifests/charts/aws-load-balancer-controller-chart.ts).
 */
export type LoadBalancerProvider = 'cloud-provider' | 'load-balancer-controller';

/**
 * The AWS cloud provider's annotations:
 * - `aws-load-balancer-type: nlb`: a Network Load Balancer (instance targets on the node ports)
 *   instead of the default Classic Load Balancer, which AWS no longer develops.
 * - `aws-load-balancer-internal: "true"`: an internal scheme in the private subnets (tagged
 *   `kubernetes.io/role/internal-elb`); without it the NLB is internet-facing in the public
 *   subnets (`kubernetes.io/role/elb`).
 * - `aws-load-balancer-scheme`: ignored by the cloud provider; the AWS Load Balancer Controller's
 *   name for the same choice, written so the scheme stays explicit whichever controller reads it.
 */
const CLOUD_PROVIDER_ANNOTATIONS: Record<DnsPublication['zone'], Record<string, string>> = {
  private: {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
    'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
  },
  public: {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
  },
};

/**
 * The AWS Load Balancer Controller's annotations, as its v3.5.0 Service annotation guide names
 * them (https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/guide/service/annotations.md):
 * - `aws-load-balancer-type: external`: the controller reconciles the Service and the cloud
 *   provider leaves it alone (no `spec.loadBalancerClass`, which is immutable: a Service can move
 *   between the two controllers by annotation alone).
 * - `aws-load-balancer-nlb-target-type: ip`: the NLB targets the pods' IPs directly, not the
 *   nodes' NodePorts, so traffic takes no second hop through kube-proxy.
 * - `aws-load-balancer-scheme`: `internal` (the controller's default, written anyway) or
 *   `internet-facing`; the deprecated `aws-load-balancer-internal` is not written.
 * - `aws-load-balancer-target-group-attributes: preserve_client_ip.enabled=false`: the default
 *   for IP targets over TCP, written because the app's NetworkPolicies depend on it: the pods see
 *   the NLB's private addresses, in the VPC range, not the clients'
 *   (manifests/constructs/app-network-policies.ts).
 */
const LOAD_BALANCER_CONTROLLER_ANNOTATIONS: Record<DnsPublication['zone'], Record<string, string>> = {
  private: {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
    'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes':
      'preserve_client_ip.enabled=false',
  },
  public: {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes':
      'preserve_client_ip.enabled=false',
  },
};

/** The annotations of a published Service's NLB, for the controller that makes it. */
export function loadBalancerAnnotations(
  zone: DnsPublication['zone'],
  provider: LoadBalancerProvider,
): Record<string, string> {
  return {
    ...(provider === 'cloud-provider' ? CLOUD_PROVIDER_ANNOTATIONS : LOAD_BALANCER_CONTROLLER_ANNOTATIONS)[
      zone
    ],
  };
}

/**
 * A Service in front of a workload's `http` port. Published, it is a LoadBalancer Service whose
 * DNS annotation (`PrivateDNSName` or `PublicDNSName`) the matching external-dns instances turn
 * into records pointing at the load balancer.
 *
 * One published Service carries one zone: an app with a private and a public name gets two, an
 * internal and an internet-facing NLB. A single internet-facing NLB under both names would send
 * in-VPC callers of the private name out through the NAT gateways and back in from the internet,
 * and would leave no private path once the public name is removed. Separate Services also mean
 * adding or removing a public name never changes the scheme of an existing load balancer, which
 * AWS cannot change in place (the NLB would be replaced under a live record).
 */
export class HttpService extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: HttpServiceProps) {
    super(scope, id);
    this.name = props.name;
    const { publish } = props;
    new KubeService(this, 'resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        ...(publish
          ? {
              annotations: {
                ...loadBalancerAnnotations(publish.zone, props.provider ?? 'cloud-provider'),
                [DNS_NAME_ANNOTATIONS[publish.zone]]: publish.record,
              },
            }
          : {}),
      },
      spec: {
        type: publish ? 'LoadBalancer' : 'ClusterIP',
        // Kubernetes' default, written down because the app's NetworkPolicies depend on it: with
        // the cloud provider's instance targets the pods see the node IPs kube-proxy masquerades
        // NLB traffic to, not the clients' (manifests/constructs/app-network-policies.ts); Local
        // would need the client CIDRs. With the controller's IP targets the NLB reaches the pods
        // without kube-proxy, so the policy does not apply to that path.
        ...(publish ? { externalTrafficPolicy: 'Cluster' } : {}),
        selector: { ...props.selector },
        ports: [
          {
            name: HTTP_PORT_NAME,
            port: SERVICE_PORT,
            targetPort: IntOrString.fromString(HTTP_PORT_NAME),
            protocol: 'TCP',
          },
        ],
      },
    });
  }
}
