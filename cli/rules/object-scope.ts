/**
 * Rules `object-scope` and `namespace-exists` (DESIGN §8): cluster-scoped objects carry no
 * namespace (cdk8s stamps a chart's namespace on everything, which the API server would reject
 * or Argo CD would show as out of sync), namespaced objects carry one, and every namespace used
 * on a cluster is created on that cluster or is one Kubernetes or the platform creates.
 */
import { ARGOCD } from '../../platform/names';
import type { RenderedObject } from '../render';
import type { Violation } from './violation';

/** Kinds without a namespace (https://kubernetes.io/docs/reference/kubernetes-api/). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'StorageClass',
  'CSIDriver',
  'RuntimeClass',
  'IngressClass',
  'APIService',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

/**
 * Namespaces that exist without a Namespace object in dist/: Kubernetes' own, and `argocd`,
 * created by the Argo CD Helm release of the bootstrap stack.
 */
export const PREEXISTING_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  ARGOCD.namespace,
];

export function objectScopeViolations(objects: readonly RenderedObject[]): Violation[] {
  const violations: Violation[] = [];
  const created = new Set(
    objects
      .filter((o) => o.object.kind === 'Namespace')
      .map((o) => `${o.cluster}/${(o.object.metadata as { name: string }).name}`),
  );
  for (const o of objects) {
    const kind = String(o.object.kind);
    const namespace = (o.object.metadata as { namespace?: string }).namespace;
    if (CLUSTER_SCOPED.has(kind)) {
      if (namespace !== undefined) {
        violations.push({
          rule: 'object-scope',
          file: o.path,
          message: `${kind} is cluster-scoped but has metadata.namespace ${namespace}`,
        });
      }
      continue;
    }
    if (namespace === undefined) {
      violations.push({
        rule: 'object-scope',
        file: o.path,
        message: `${kind} is namespaced but has no metadata.namespace`,
      });
    } else if (!created.has(`${o.cluster}/${namespace}`) && !PREEXISTING_NAMESPACES.includes(namespace)) {
      violations.push({
        rule: 'namespace-exists',
        file: o.path,
        message: `namespace ${namespace} is neither created on ${o.cluster} nor one of ${PREEXISTING_NAMESPACES.join(', ')}`,
      });
    }
  }
  return violations;
}
