/**
 * A NetworkPolicy evaluator over rendered objects, for tests: "may this source reach this pod on
 * this port?", following the Kubernetes semantics
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/): a pod no policy of
 * a direction selects is open in that direction; once selected, a connection passes when a rule
 * of any selecting policy matches both its peer and its port. ipBlock matches by address, as the
 * VPC CNI agent does, pod addresses included. The agent's own exception (the pod's node IP is
 * always allowed) is not modelled: the tests never send from a pod's own node.
 */

import type { RenderedObject } from '../../cli/render';
import { selectorMatches } from '../../cli/rules/label-selectors';
import { NAMESPACE_NAME_LABEL } from '../../platform/names';
import { parseCidr } from '../../platform/network';

/** Parsed YAML, untyped: the evaluator reads the fields it knows. */
type Json = Record<string, any>;

/** One end of a connection: a pod (namespace and labels), and/or an IP address. */
export interface Endpoint {
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ip?: string;
}

export interface Connection {
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

function ipNumber(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string') throw new Error(`${cidr}: ${parsed}`);
  const size = 2 ** (32 - parsed.prefix);
  const address = ipNumber(ip);
  return address >= parsed.address && address < parsed.address + size;
}

export class PolicyEvaluator {
  private readonly policies: Json[];
  private readonly namespaceLabels = new Map<string, Record<string, string>>();

  /** The NetworkPolicies and Namespaces of one cluster. */
  constructor(objects: readonly RenderedObject[]) {
    this.policies = objects.filter((o) => o.object.kind === 'NetworkPolicy').map((o) => o.object as Json);
    for (const { object } of objects) {
      if (object.kind !== 'Namespace') continue;
      const metadata = object.metadata as Json;
      this.namespaceLabels.set(metadata.name, metadata.labels ?? {});
    }
  }

  /** The labels a namespace has on the cluster: its rendered labels and the name label Kubernetes adds. */
  labelsOfNamespace(name: string): Record<string, string> {
    return { ...this.namespaceLabels.get(name), [NAMESPACE_NAME_LABEL]: name };
  }

  ingressAllowed(
    to: Required<Pick<Endpoint, 'namespace' | 'labels'>>,
    from: Endpoint,
    c: Connection,
  ): boolean {
    return this.allowed('Ingress', to, from, c);
  }

  egressAllowed(
    from: Required<Pick<Endpoint, 'namespace' | 'labels'>>,
    to: Endpoint,
    c: Connection,
  ): boolean {
    return this.allowed('Egress', from, to, c);
  }

  /** Whether any policy of the pod's namespace selects the pod for this direction. */
  isolated(direction: 'Ingress' | 'Egress', pod: Required<Pick<Endpoint, 'namespace' | 'labels'>>): boolean {
    return this.selecting(direction, pod).length > 0;
  }

  private selecting(direction: 'Ingress' | 'Egress', pod: Required<Pick<Endpoint, 'namespace' | 'labels'>>) {
    return this.policies.filter((p) => {
      if (p.metadata.namespace !== pod.namespace) return false;
      const types: string[] =
        p.spec.policyTypes ?? (p.spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress']);
      return types.includes(direction) && selectorMatches(p.spec.podSelector, pod.labels);
    });
  }

  private allowed(
    direction: 'Ingress' | 'Egress',
    pod: Required<Pick<Endpoint, 'namespace' | 'labels'>>,
    peer: Endpoint,
    c: Connection,
  ): boolean {
    const policies = this.selecting(direction, pod);
    if (policies.length === 0) return true;
    const protocol = c.protocol ?? 'TCP';
    return policies.some((policy) =>
      ((direction === 'Ingress' ? policy.spec.ingress : policy.spec.egress) ?? []).some((rule: Json) => {
        const peers: Json[] | undefined = direction === 'Ingress' ? rule.from : rule.to;
        const ports: Json[] | undefined = rule.ports;
        const portMatches =
          ports === undefined ||
          ports.length === 0 ||
          ports.some(
            (p) =>
              (p.protocol ?? 'TCP') === protocol &&
              (p.port === undefined || p.port === c.port) &&
              (p.endPort === undefined || p.endPort >= c.port),
          );
        const peerMatches =
          peers === undefined ||
          peers.length === 0 ||
          peers.some((p) => this.peerMatches(p, policy.metadata.namespace, peer));
        return portMatches && peerMatches;
      }),
    );
  }

  private peerMatches(peer: Json, policyNamespace: string, endpoint: Endpoint): boolean {
    if (peer.ipBlock !== undefined) {
      return (
        endpoint.ip !== undefined &&
        ipInCidr(endpoint.ip, peer.ipBlock.cidr) &&
        !(peer.ipBlock.except ?? []).some((cidr: string) => ipInCidr(endpoint.ip as string, cidr))
      );
    }
    if (endpoint.namespace === undefined || endpoint.labels === undefined) return false;
    const namespaceMatches =
      peer.namespaceSelector === undefined
        ? endpoint.namespace === policyNamespace
        : selectorMatches(peer.namespaceSelector, this.labelsOfNamespace(endpoint.namespace));
    const podMatches = peer.podSelector === undefined || selectorMatches(peer.podSelector, endpoint.labels);
    return namespaceMatches && podMatches;
  }
}
