/**
 * Argo CD sync waves: within one Application (one dist component), Argo CD applies the objects of
 * a lower wave and waits for them to be healthy before the next wave, so a Deployment never starts
 * before its Namespace, ServiceAccount, RBAC, PriorityClass or ConfigMap exists.
 * https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 *
 * The wave follows from the object's kind alone, so every chart gets the same order by calling
 * `annotateSyncWaves(this)` at the end of its constructor.
 */
import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The waves, in the order Argo CD applies them. */
export const SYNC_WAVES = {
  /** Namespaces, first: every namespaced object needs its namespace. */
  namespaces: -3,
  /** What workloads reference: identities, RBAC, network policies, scheduling priorities, configuration. */
  prerequisites: -2,
  /** Everything else: Deployments, Services, autoscalers, disruption budgets. */
  workloads: 0,
  /** Registrations that point at a workload and fail while it is not serving (APIService). */
  registrations: 1,
} as const;

const WAVE_OF_KIND: Readonly<Record<string, number>> = {
  Namespace: SYNC_WAVES.namespaces,
  ServiceAccount: SYNC_WAVES.prerequisites,
  ClusterRole: SYNC_WAVES.prerequisites,
  ClusterRoleBinding: SYNC_WAVES.prerequisites,
  Role: SYNC_WAVES.prerequisites,
  RoleBinding: SYNC_WAVES.prerequisites,
  PriorityClass: SYNC_WAVES.prerequisites,
  ConfigMap: SYNC_WAVES.prerequisites,
  Secret: SYNC_WAVES.prerequisites,
  // The Secret it makes, before the pods that mount it: Argo CD waits for an ExternalSecret to be
  // Ready (its built-in health check, resource_customizations/external-secrets.io/ExternalSecret).
  ExternalSecret: SYNC_WAVES.prerequisites,
  ResourceQuota: SYNC_WAVES.prerequisites,
  LimitRange: SYNC_WAVES.prerequisites,
  // A namespace's policies before its pods, so no pod runs while only part of them exist.
  NetworkPolicy: SYNC_WAVES.prerequisites,
  // The kinds a controller serves before the objects of those kinds.
  CustomResourceDefinition: SYNC_WAVES.prerequisites,
  APIService: SYNC_WAVES.registrations,
  // Admission webhooks call their workload: registered once it serves, or every matching request
  // fails (or skips the webhook) while it starts.
  MutatingWebhookConfiguration: SYNC_WAVES.registrations,
  ValidatingWebhookConfiguration: SYNC_WAVES.registrations,
};

/** The sync wave of an object kind; kinds not listed are workloads. */
export function syncWaveOf(kind: string): number {
  return WAVE_OF_KIND[kind] ?? SYNC_WAVES.workloads;
}

/** Annotates every API object under `scope` with the sync wave of its kind. */
export function annotateSyncWaves(scope: IConstruct): void {
  for (const child of scope.node.findAll()) {
    if (child instanceof ApiObject) {
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(syncWaveOf(child.kind)));
    }
  }
}
