import {
  type Affinity,
  type Container,
  type DaemonSetUpdateStrategy,
  type DeploymentStrategy,
  KubeDaemonSet,
  KubeDeployment,
  type PodSpec,
  type Toleration,
  type Volume,
} from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { preferEssentialNodes } from './essential-node-affinity';
import {
  type HostPrivileges,
  NON_ROOT_UID,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from './restricted-pod-spec';

/** The controller of an add-on's pods. */
export type AddonController =
  | {
      readonly kind: 'Deployment';
      /** @default - left out: another controller (an autoscaler) owns the count */
      readonly replicas?: number;
      /** @default - the Kubernetes default, RollingUpdate 25 % */
      readonly strategy?: DeploymentStrategy;
    }
  | {
      /** One pod per node the pod may run on (node agents: DNS caches, log shippers, device plugins). */
      readonly kind: 'DaemonSet';
      /** @default - the Kubernetes default, RollingUpdate one node at a time */
      readonly updateStrategy?: DaemonSetUpdateStrategy;
    };

export interface AddonWorkloadProps {
  readonly controller: AddonController;
  /** Name of the Deployment or DaemonSet. */
  readonly name: string;
  readonly namespace: string;
  /**
   * Labels of the workload and its pods, and its selector (`addonLabels()`): selectors are
   * immutable, so they come from names alone.
   */
  readonly labels: Readonly<Record<string, string>>;
  /** The numeric user and group of the pods: the one the upstream image runs as. @default NON_ROOT_UID */
  readonly uid?: number;
  /**
   * The ServiceAccount the pods run as.
   * @default - none: the pods call no API, so they mount no token and get no service links
   */
  readonly serviceAccountName?: string;
  /** @default - none */
  readonly priorityClassName?: string;
  /** Pod template annotations, e.g. `safeToEvict()`. @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * @default - a Deployment prefers essential nodes (`preferEssentialNodes()`); a DaemonSet runs
   * wherever its tolerations allow
   */
  readonly affinity?: Affinity;
  /** @default - none */
  readonly tolerations?: readonly Toleration[];
  /** @default - the Kubernetes default, 30 s */
  readonly terminationGracePeriodSeconds?: number;
  /** The containers; each gets the restricted security context (restricted-pod-spec.ts). */
  readonly containers: readonly Container[];
  /** @default - none */
  readonly volumes?: readonly Volume[];
  /**
   * The pod's DNS policy, e.g. `Default` (the node's resolver) for a DNS server that must not
   * query itself. @default - the Kubernetes default, ClusterFirst
   */
  readonly dnsPolicy?: 'Default' | 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'None';
  /**
   * The escape hatch from the restricted standard for a node agent (`HostPrivileges`,
   * restricted-pod-spec.ts): host network, root, added capabilities, writable root filesystem,
   * each named, with its reason. The chart writes the check-rule exceptions on `podAnnotations`.
   * @default - none: fully restricted
   */
  readonly hostPrivileges?: HostPrivileges;
}

/**
 * The workload of a cluster add-on: a Deployment or a DaemonSet whose pods meet the restricted Pod
 * Security Standard with the user of the add-on's upstream image. Unlike an app's pods
 * (`HttpDeployment`), an add-on's usually call the Kubernetes API, so the token of its
 * ServiceAccount is mounted, and /tmp is a volume only where the add-on writes one.
 * The security fields overwrite whatever the containers carry. A node agent that must run as root
 * takes the one documented escape hatch, `hostPrivileges`, with its reason, and its chart writes the
 * check-rule exceptions it then needs, with their reasons, on `podAnnotations`.
 */
export class AddonWorkload extends Construct {
  constructor(scope: Construct, id: string, props: AddonWorkloadProps) {
    super(scope, id);
    const { controller, labels } = props;
    const privileges = props.hostPrivileges;
    if (privileges !== undefined && controller.kind !== 'DaemonSet') {
      throw new Error(
        `add-on workload ${props.name}: only a DaemonSet (a node agent) may take hostPrivileges`,
      );
    }
    if (privileges !== undefined && privileges.reason.trim() === '') {
      throw new Error(`add-on workload ${props.name}: hostPrivileges needs its reason`);
    }
    if (privileges?.runAsRoot === true && props.uid !== undefined) {
      throw new Error(`add-on workload ${props.name}: uid and hostPrivileges.runAsRoot exclude each other`);
    }
    const annotations = { ...props.podAnnotations };
    const metadata = { name: props.name, namespace: props.namespace, labels: { ...labels } };
    const selector = { matchLabels: { ...labels } };
    const template = {
      metadata: {
        labels: { ...labels },
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      spec: this.podSpec(props),
    };
    if (controller.kind === 'Deployment') {
      new KubeDeployment(this, 'resource', {
        metadata,
        spec: {
          ...(controller.replicas !== undefined ? { replicas: controller.replicas } : {}),
          ...(controller.strategy !== undefined ? { strategy: controller.strategy } : {}),
          selector,
          template,
        },
      });
    } else {
      new KubeDaemonSet(this, 'resource', {
        metadata,
        spec: {
          ...(controller.updateStrategy !== undefined ? { updateStrategy: controller.updateStrategy } : {}),
          selector,
          template,
        },
      });
    }
  }

  private podSpec(props: AddonWorkloadProps): PodSpec {
    const affinity =
      props.affinity ?? (props.controller.kind === 'Deployment' ? preferEssentialNodes() : undefined);
    return {
      ...(props.serviceAccountName !== undefined
        ? { serviceAccountName: props.serviceAccountName }
        : { automountServiceAccountToken: false, enableServiceLinks: false }),
      ...(props.priorityClassName !== undefined ? { priorityClassName: props.priorityClassName } : {}),
      ...(props.terminationGracePeriodSeconds !== undefined
        ? { terminationGracePeriodSeconds: props.terminationGracePeriodSeconds }
        : {}),
      ...(props.hostPrivileges?.hostNetwork === true ? { hostNetwork: true } : {}),
      ...(props.dnsPolicy !== undefined ? { dnsPolicy: props.dnsPolicy } : {}),
      securityContext: restrictedPodSecurityContext(props.uid ?? NON_ROOT_UID, props.hostPrivileges),
      ...(affinity !== undefined ? { affinity } : {}),
      ...(props.tolerations !== undefined && props.tolerations.length > 0
        ? { tolerations: [...props.tolerations] }
        : {}),
      containers: props.containers.map((container) => ({
        ...container,
        // The add-on charts state runAsNonRoot on the container as well as on the pod (as upstream
        // manifests do); the pod-level field already enforces it. A root node agent states neither.
        securityContext: {
          ...(props.hostPrivileges?.runAsRoot === true ? {} : { runAsNonRoot: true }),
          ...restrictedContainerSecurityContext(props.hostPrivileges),
        },
      })),
      ...(props.volumes !== undefined ? { volumes: [...props.volumes] } : {}),
    };
  }
}
