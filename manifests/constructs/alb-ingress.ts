import { KubeIngress } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { DNS_NAME_ANNOTATIONS } from '../../platform/names';
import { type DnsPublication, SERVICE_PORT } from './http-service';

/**
 * The IngressClass the AWS Load Balancer Controller serves, and its controller name (upstream
 * chart v3.5.0, values.yaml `ingressClass` and templates/ingressclass.yaml).
 */
export const ALB_INGRESS_CLASS = 'alb';
export const ALB_INGRESS_CONTROLLER = 'ingress.k8s.aws/alb';

/**
 * The annotations of an app's ALB, as the controller's v3.5.0 Ingress annotation guide names them
 * (https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/guide/ingress/annotations.md):
 * - `scheme`: `internal` in the private subnets or `internet-facing` in the public ones, per zone
 *   as the NLBs (one load balancer per published name, manifests/constructs/http-service.ts);
 * - `target-type: ip`: the ALB targets the pods' IPs; its own private addresses, in the VPC range,
 *   are the source the pods see, clients' and health checks' alike (an ALB is a proxy), which the
 *   app's `allow-load-balancer` NetworkPolicy admits;
 * - `listen-ports`: HTTP on 80, as the NLBs serve (no certificate is configured);
 * - `healthcheck-path`: the app's readiness path (the controller's default is `/`).
 */
export function albIngressAnnotations(
  zone: DnsPublication['zone'],
  healthPath: string,
): Record<string, string> {
  return {
    'alb.ingress.kubernetes.io/scheme': zone === 'private' ? 'internal' : 'internet-facing',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}]',
    'alb.ingress.kubernetes.io/healthcheck-path': healthPath,
  };
}

export interface AlbIngressProps {
  readonly name: string;
  readonly namespace: string;
  /** The ClusterIP Service in front of the app's pods, on port SERVICE_PORT. */
  readonly serviceName: string;
  readonly publish: DnsPublication;
  /** The app's readiness path, which the ALB's health check requests. */
  readonly healthPath: string;
  /** @default - no labels */
  readonly labels?: Record<string, string>;
}

/**
 * An Ingress of class `alb`: the AWS Load Balancer Controller makes one Application Load Balancer
 * for it, sending every request to the app's Service. Its DNS annotation (`PrivateDNSName` or
 * `PublicDNSName`) is read by the matching external-dns instances (`--source=ingress`), which
 * point the record at the ALB's name from the Ingress status.
 */
export class AlbIngress extends Construct {
  constructor(scope: Construct, id: string, props: AlbIngressProps) {
    super(scope, id);
    const { publish } = props;
    new KubeIngress(this, 'resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: {
          ...albIngressAnnotations(publish.zone, props.healthPath),
          [DNS_NAME_ANNOTATIONS[publish.zone]]: publish.record,
        },
      },
      spec: {
        ingressClassName: ALB_INGRESS_CLASS,
        defaultBackend: { service: { name: props.serviceName, port: { number: SERVICE_PORT } } },
      },
    });
  }
}
