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
}

/**
 * Load balancer annotations of the AWS cloud provider's Service controller, the one EKS runs in
 * its control plane (https://cloud-provider-aws.sigs.k8s.io/service_controller/): it is present
 * on every EKS cluster, while the AWS Load Balancer Controller is an add-on this platform does not
 * install. EKS documents it as receiving only critical fixes
 * (https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html); moving to the
 * Load Balancer Controller means installing it and replacing these annotations.
 * - `aws-load-balancer-type: nlb`: a Network Load Balancer (instance targets on the node ports)
 *   instead of the default Classic Load Balancer, which AWS no longer develops.
 * - `aws-load-balancer-internal: "true"`: an internal scheme in the private subnets (tagged
 *   `kubernetes.io/role/internal-elb`); without it the NLB is internet-facing in the public
 *   subnets (`kubernetes.io/role/elb`).
 * - `aws-load-balancer-scheme`: ignored by the cloud provider; the AWS Load Balancer Controller's
 *   name for the same choice. Its Service webhook takes over every new LoadBalancer Service and
 *   defaults to internal, so without this annotation installing it later would silently make the
 *   public names unreachable (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/).
 */
const LOAD_BALANCER_ANNOTATIONS: Record<DnsPublication['zone'], Record<string, string>> = {
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
                ...LOAD_BALANCER_ANNOTATIONS[publish.zone],
                [DNS_NAME_ANNOTATIONS[publish.zone]]: publish.record,
              },
            }
          : {}),
      },
      spec: {
        type: publish ? 'LoadBalancer' : 'ClusterIP',
        // Kubernetes' default, written down because the app's NetworkPolicies depend on it: the
        // pods see the node IPs kube-proxy masquerades NLB traffic to, not the clients'
        // (manifests/constructs/app-network-policies.ts). Local would need the client CIDRs.
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
