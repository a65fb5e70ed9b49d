/**
 * The addresses node-local DNS (`addons.nodeLocalDns`) binds on every node, computed from config
 * alone: the manifests (its Corefile and arguments) and the app NetworkPolicies (DNS egress) both
 * read them here.
 */
import { parseCidr } from './network';

/**
 * The link-local address node-local DNS listens on (upstream's default, on a dummy interface):
 * in the link-local range, so it collides with no VPC, pod or Service address
 * (https://github.com/kubernetes/kubernetes/blob/028f956d2f934d6c82ca815e3f8d622da7e480cb/cluster/addons/dns/nodelocaldns/README.md;
 * https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/#configuration).
 */
export const NODE_LOCAL_DNS_IP = '169.254.20.10';

/** The cluster domain of EKS clusters (the kubelet's `clusterDomain`). */
export const CLUSTER_DOMAIN = 'cluster.local';

/** The first address of the 10.0.0.0/8 block, and its size. */
const TEN_BLOCK = { address: 10 * 2 ** 24, size: 2 ** 24 };

/**
 * The ClusterIP of the `kube-dns` Service, which the kubelet of every EKS node writes into pods'
 * resolv.conf. The cluster stack sets no `kubernetes_network_config.service_ipv4_cidr` (setting it
 * now would replace every existing cluster), so EKS chose the Service range: "If you don't specify
 * a block, Kubernetes assigns addresses from either the 10.100.0.0/16 or 172.20.0.0/16 CIDR
 * blocks" (https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigRequest.html),
 * 172.20.0.0/16 when the VPC is in 10.0.0.0/8 so the two never overlap, and kube-dns is the `.10`
 * of it. The EKS AMI computes the kubelet's clusterDNS the same way: 172.20.0.10 when a VPC CIDR
 * block of the node starts with `10.`, else 10.100.0.10
 * (https://github.com/awslabs/amazon-eks-ami/blob/main/templates/al2/runtime/bootstrap.sh, DNS_CLUSTER_IP).
 */
export function kubeDnsServiceIp(vpcCidr: string): string {
  const vpc = parseCidr(vpcCidr);
  if (typeof vpc === 'string') throw new Error(`network.cidr: ${vpc}, got ${vpcCidr}`);
  const inTenBlock = vpc.address >= TEN_BLOCK.address && vpc.address < TEN_BLOCK.address + TEN_BLOCK.size;
  return inTenBlock ? '172.20.0.10' : '10.100.0.10';
}
