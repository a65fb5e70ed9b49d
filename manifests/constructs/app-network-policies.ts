import {
  IntOrString,
  KubeNetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type NetworkPolicySpec,
} from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { addonEnabled } from '../../platform/addons';
import { appNamespace, CLUSTER_DNS, NAMESPACE_NAME_LABEL, NETWORK_POLICY_NAMES } from '../../platform/names';
import { kubeDnsServiceIp, NODE_LOCAL_DNS_IP } from '../../platform/node-local-dns';
import type { AppConfig, PlatformConfig } from '../../platform/schema';
import { appLabels } from './app-labels';
import { selectorLabels } from './selector-labels';

/** Every pod of the namespace, as a policy's podSelector or a same-namespace peer. */
const ALL_PODS = {};

type Peer = NonNullable<AppConfig['egressTo']>[number];

/**
 * Where pods resolve names: the one place the DNS peers are listed. Always the CoreDNS pods of
 * kube-system. With node-local DNS (`addons.nodeLocalDns`) a pod's query to the kube-dns ClusterIP
 * never reaches CoreDNS: node-cache (hostNetwork) has bound that address, and
 * 169.254.20.10, on a dummy interface of the node and answers it there. The VPC CNI policy agent
 * filters a pod's egress at the pod's veth, before any NAT, so it sees the destination the pod
 * wrote: the kube-dns ClusterIP (or 169.254.20.10), neither a pod IP nor the node's IP, which is
 * the only host address it always allows (https://github.com/aws/aws-network-policy-agent/pull/65).
 * The ClusterIP is allowed today only because the network policy controller adds the ClusterIPs of
 * Services whose selector matches a podSelector peer (getMatchingServiceClusterIPs,
 * https://github.com/aws/amazon-network-policy-controller-k8s/blob/main/pkg/resolvers/endpoints.go);
 * both addresses are therefore listed as ipBlocks, as the upstream README advises for network
 * policies with node-local DNS
 * (https://github.com/kubernetes/kubernetes/blob/028f956d2f934d6c82ca815e3f8d622da7e480cb/cluster/addons/dns/nodelocaldns/README.md#network-policy-and-dns-connectivity).
 */
export function clusterDnsPeers(config: Pick<PlatformConfig, 'addons' | 'network'>): NetworkPolicyPeer[] {
  const coreDns: NetworkPolicyPeer = {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: CLUSTER_DNS.namespace } },
    podSelector: { matchLabels: { ...CLUSTER_DNS.podLabels } },
  };
  if (!addonEnabled(config, 'nodeLocalDns')) return [coreDns];
  return [
    coreDns,
    { ipBlock: { cidr: `${kubeDnsServiceIp(config.network.cidr)}/32` } },
    { ipBlock: { cidr: `${NODE_LOCAL_DNS_IP}/32` } },
  ];
}

/** DNS is UDP first and TCP for long answers (RFC 7766): both, on port 53. */
const DNS_PORTS: NetworkPolicyPort[] = [
  { protocol: 'UDP', port: IntOrString.fromNumber(CLUSTER_DNS.port) },
  { protocol: 'TCP', port: IntOrString.fromNumber(CLUSTER_DNS.port) },
];

function tcpPorts(ports: readonly number[]): NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: IntOrString.fromNumber(port) }));
}

/** A config peer as a NetworkPolicy peer: a namespace by its name label, namespaces by labels, or a CIDR. */
function policyPeer(peer: Peer): NetworkPolicyPeer {
  if (peer.namespace !== undefined) {
    return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } } };
  }
  if (peer.namespaceLabels !== undefined) {
    return { namespaceSelector: { matchLabels: { ...peer.namespaceLabels } } };
  }
  return { ipBlock: { cidr: peer.cidr as string } };
}

export interface AppNetworkPoliciesProps {
  readonly app: AppConfig;
  /** The environment: its VPC CIDR (load balancer traffic) and, later, its DNS add-ons. */
  readonly config: PlatformConfig;
}

/**
 * The NetworkPolicies of an app namespace (docs/apps.md, "Network access"). Every pod of the
 * namespace, the app's and any custom workload's, is denied ingress by default, then allowed:
 * - from the pods of its own namespace;
 * - from the app's load balancers, when `dns` publishes it (below);
 * - from what `ingressFrom` declares, to the app's pods on the app's port unless it names ports.
 * The kubelet's probes need no rule: the VPC CNI policy agent always allows traffic between a pod
 * and its own node's IP, which is where they come from, as Kubernetes requires ("pods cannot
 * block access from their resident node":
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/#what-you-can-t-do-with-network-policies-at-least-not-yet;
 * https://github.com/aws/aws-network-policy-agent/pull/65).
 *
 * Egress stays open unless `egressTo` is given; then every pod of the namespace is denied egress
 * except to cluster DNS, its own namespace and the declared destinations. No egress policy is
 * rendered otherwise: a policy of type Egress selecting a pod would isolate its egress.
 *
 * Egress through a Service: the agent filters a pod's egress before kube-proxy translates a
 * ClusterIP, so the EKS network policy controller adds the ClusterIPs of the Services in front
 * of the selected pods to the rule, mapping a rule's container port (an app's `port`) to the
 * Service port that targets it (80 for the apps here)
 * (https://github.com/aws/amazon-network-policy-controller-k8s/blob/main/pkg/resolvers/endpoints.go,
 * getMatchingServiceClusterIPs). Ports in `egressTo` are therefore the pods' own ports.
 */
export class AppNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: AppNetworkPoliciesProps) {
    super(scope, id);
    const { app, config } = props;
    const namespace = appNamespace(app);
    const labels = appLabels(app);
    const { egressTo } = app;
    const restrictsEgress = egressTo !== undefined;
    const policy = (name: string, spec: NetworkPolicySpec) =>
      new KubeNetworkPolicy(this, name, { metadata: { name, namespace, labels }, spec });
    const appPods = { matchLabels: selectorLabels(app.name) };

    policy(NETWORK_POLICY_NAMES.denyIngress, { podSelector: ALL_PODS, policyTypes: ['Ingress'] });
    policy(NETWORK_POLICY_NAMES.sameNamespace, {
      podSelector: ALL_PODS,
      policyTypes: restrictsEgress ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress: [{ from: [{ podSelector: ALL_PODS }] }],
      ...(restrictsEgress ? { egress: [{ to: [{ podSelector: ALL_PODS }] }] } : {}),
    });

    if (app.dns.private !== undefined || app.dns.public !== undefined) {
      // Where the app's load balancer traffic comes from, for either controller
      // (manifests/constructs/http-service.ts, alb-ingress.ts):
      // - The cloud provider's NLBs target the nodes' NodePort with externalTrafficPolicy Cluster:
      //   kube-proxy masquerades every connection, from clients and from the NLB health checks
      //   alike, to the IP of the node that received it, then forwards it to a pod on any node
      //   (https://kubernetes.io/docs/tutorials/services/source-ip/#source-ip-for-services-with-type-nodeport).
      //   The policy agent filters at the pod's interface, after that NAT, so the pod sees a node
      //   IP; its own node's is always allowed, another node's is an address of the VPC's subnets.
      // - The AWS Load Balancer Controller's NLBs (`addons.loadBalancerController`) target the pod
      //   IPs with client IP preservation off (the default for IP targets over TCP, written on the
      //   Service), so clients' connections and health checks both arrive from the NLB's private
      //   addresses in the VPC's subnets; its ALBs are proxies and connect from their own private
      //   addresses too (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation).
      // Either way the client's address never reaches the pod, so no client CIDR can be written
      // here, and the VPC range admits both. It also holds pod IPs (the VPC CNI addresses pods
      // from the node subnets), so this opens the app's port to every pod as well: no more than
      // the load balancer does, since any pod can call it, and only on the port it serves.
      policy(NETWORK_POLICY_NAMES.loadBalancer, {
        podSelector: appPods,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: config.network.cidr } }], ports: tcpPorts([app.port]) }],
      });
    }

    if (app.ingressFrom.length > 0) {
      policy(NETWORK_POLICY_NAMES.declaredIngress, {
        podSelector: appPods,
        policyTypes: ['Ingress'],
        ingress: app.ingressFrom.map((peer) => ({
          from: [policyPeer(peer)],
          ports: tcpPorts(peer.ports ?? [app.port]),
        })),
      });
    }

    if (egressTo === undefined) return;
    policy(NETWORK_POLICY_NAMES.denyEgress, { podSelector: ALL_PODS, policyTypes: ['Egress'] });
    policy(NETWORK_POLICY_NAMES.clusterDns, {
      podSelector: ALL_PODS,
      policyTypes: ['Egress'],
      egress: [{ to: clusterDnsPeers(config), ports: DNS_PORTS }],
    });
    if (egressTo.length > 0) {
      policy(NETWORK_POLICY_NAMES.declaredEgress, {
        podSelector: ALL_PODS,
        policyTypes: ['Egress'],
        egress: egressTo.map((peer) => ({
          to: [policyPeer(peer)],
          ...(peer.ports === undefined ? {} : { ports: tcpPorts(peer.ports) }),
        })),
      });
    }
  }
}
