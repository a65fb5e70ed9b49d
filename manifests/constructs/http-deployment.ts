import { IntOrString, KubeDeployment, type Probe } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { containerResources, type ResourcesConfig } from './container-resources';
import type { Placement, TolerationConfig } from './placement-scheduling';
import { restrictedPodSpec } from './restricted-pod-spec';
import { selectorLabels } from './selector-labels';
import { zoneSpread } from './zone-spread';

/** Name of the container port that Services and probes refer to, so the number lives in one place. */
export const HTTP_PORT_NAME = 'http';

export interface HttpDeploymentProps {
  /** Name of the Deployment, its container and its pods' `app.kubernetes.io/name` selector label. */
  readonly name: string;
  readonly namespace: string;
  /** Image pinned by tag or digest. */
  readonly image: string;
  /** The container port serving HTTP, probes included. */
  readonly port: number;
  /** HTTP path of the readiness probe. @default '/healthz' */
  readonly healthPath?: string;
  /**
   * HTTP path of the startup and liveness probes; it must not check dependencies.
   * @default - a TCP connection to the port: the process answers
   */
  readonly livenessPath?: string;
  readonly resources: ResourcesConfig;
  readonly serviceAccountName: string;
  /** @default 'any' - no node constraint */
  readonly placement?: Placement;
  /** @default - tolerates no taint */
  readonly tolerations?: readonly TolerationConfig[];
  /** Extra labels on the Deployment and its pods, never in the selector. @default - none */
  readonly labels?: Record<string, string>;
  /** Secrets mounted read-only into the container, one directory each. @default - none */
  readonly secretMounts?: readonly { readonly secretName: string; readonly mountPath: string }[];
}

/**
 * A Deployment of one HTTP container, scaled by a HorizontalPodAutoscaler.
 *
 * - The selector is `app.kubernetes.io/name: <name>` only: it is immutable, so it depends on the
 *   name alone, and extra labels can change without recreating the Deployment.
 * - `spec.replicas` is left out on purpose: the HPA owns the count, and a value in Git would be
 *   applied again by every Argo CD sync, scaling a loaded app down to it until the HPA reacts
 *   (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling).
 *   A new Deployment starts with one pod and the HPA raises it to its minimum within seconds.
 * - Rolling updates never go below the current count (`maxUnavailable: 0`): new pods must be
 *   ready before old ones leave.
 * - Readiness and liveness answer different questions, so they use different handlers
 *   (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/).
 *   Readiness (GET healthPath) may fail while a dependency is down: the pod only stops getting
 *   traffic, within 15 s. Liveness restarts the container, so it checks the process alone (GET
 *   livenessPath, or a TCP connection to the port): were it the readiness path, one failing
 *   database would restart every pod of the app at once: the cascading failure the Kubernetes
 *   docs warn of for liveness probes that do more than detect an unrecoverable process failure
 *   (same page, and the Spring Boot guidance that liveness must not depend on external systems,
 *   https://docs.spring.io/spring-boot/reference/actuator/endpoints.html#actuator.endpoints.kubernetes-probes).
 *   Liveness acts only after 60 s (6 × 10 s, twice readiness' threshold), so an overloaded pod
 *   sheds traffic before it is killed. The startup probe uses the liveness handler and gives a
 *   slow start 150 s before liveness applies; a dependency that is down at start therefore delays
 *   readiness but restarts nothing.
 */
export class HttpDeployment extends Construct {
  readonly name: string;
  readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: HttpDeploymentProps) {
    super(scope, id);
    this.name = props.name;
    this.selector = selectorLabels(props.name);
    const labels = { ...props.labels, ...this.selector };
    const secretMounts = props.secretMounts ?? [];
    const port = IntOrString.fromString(HTTP_PORT_NAME);
    const ready: Pick<Probe, 'httpGet'> = { httpGet: { path: props.healthPath ?? '/healthz', port } };
    const alive: Pick<Probe, 'httpGet' | 'tcpSocket'> =
      props.livenessPath === undefined
        ? { tcpSocket: { port } }
        : { httpGet: { path: props.livenessPath, port } };
    const probe = (handler: Probe, periodSeconds: number, failureThreshold: number): Probe => ({
      ...handler,
      periodSeconds,
      failureThreshold,
      timeoutSeconds: 2,
    });

    new KubeDeployment(this, 'resource', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        selector: { matchLabels: { ...this.selector } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxUnavailable: IntOrString.fromNumber(0),
            maxSurge: IntOrString.fromString('25%'),
          },
        },
        template: {
          metadata: { labels },
          spec: restrictedPodSpec({
            serviceAccountName: props.serviceAccountName,
            placement: props.placement ?? 'any',
            tolerations: props.tolerations ?? [],
            topologySpreadConstraints: zoneSpread(this.selector, ['pod-template-hash']),
            // A volume, not environment variables: a rotated value reaches the files without a
            // restart (the kubelet refreshes Secret volumes), and values stay out of the process
            // environment. https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod
            volumes: secretMounts.map((mount, i) => ({
              name: `secret-${i}`,
              secret: { secretName: mount.secretName, defaultMode: 0o440 },
            })),
            containers: [
              {
                name: props.name,
                image: props.image,
                ports: [{ name: HTTP_PORT_NAME, containerPort: props.port, protocol: 'TCP' }],
                resources: containerResources(props.resources),
                startupProbe: probe(alive, 5, 30),
                readinessProbe: probe(ready, 5, 3),
                livenessProbe: probe(alive, 10, 6),
                ...(secretMounts.length > 0
                  ? {
                      volumeMounts: secretMounts.map((mount, i) => ({
                        name: `secret-${i}`,
                        mountPath: mount.mountPath,
                        readOnly: true,
                      })),
                    }
                  : {}),
              },
            ],
          }),
        },
      },
    });
  }
}
