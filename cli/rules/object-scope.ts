/**
 * Rules `object-scope` and `namespace-exists` (DESIGN §8): cluster-scoped objects carry no
 * namespace (cdk8s stamps a chart's namespace on everything, which the API server would reject
 * or Argo CD would show as out of sync), namespaced objects carry one, and every namespace used
 * on a cluster is created on that cluster or is one Kubernetes or the platform creates.
 */
import { ARGOCD } from '../../platform/names';
import { type Finding, objectAnnotations, type Rule } from './rule';

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
  // scope: Cluster in its CRD (external-secrets/external-secrets
  // config/crds/bases/external-secrets.io_clustersecretstores.yaml at helm-chart-2.9.0).
  'ClusterSecretStore',
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

function namespaceOf(object: Readonly<Record<string, unknown>>): string | undefined {
  return (object.metadata as { namespace?: string }).namespace;
}

export const objectScopeRule: Rule<'object-scope'> = {
  id: 'object-scope',
  summary:
    "Cluster-scoped objects carry no namespace and namespaced objects carry one: cdk8s stamps a chart's namespace on everything, which the API server drops from a cluster-scoped object (Argo CD then shows it out of sync forever), and a namespaced object without one lands in whatever namespace the sync defaults to.",
  check: ({ rendering }) => {
    const findings: Finding[] = [];
    for (const o of rendering.objects) {
      const kind = String(o.object.kind);
      const namespace = namespaceOf(o.object);
      const report = (message: string) =>
        findings.push({ file: o.path, message, subject: objectAnnotations(o.object) });
      if (CLUSTER_SCOPED.has(kind) && namespace !== undefined) {
        report(`${kind} is cluster-scoped but has metadata.namespace ${namespace}`);
      } else if (!CLUSTER_SCOPED.has(kind) && namespace === undefined) {
        report(`${kind} is namespaced but has no metadata.namespace`);
      }
    }
    return findings;
  },
};

export const namespaceExistsRule: Rule<'namespace-exists'> = {
  id: 'namespace-exists',
  summary: `Every namespace an object is in is created on the same cluster, or is one that exists without a Namespace object in dist/ (${PREEXISTING_NAMESPACES.join(', ')}): Argo CD would otherwise fail the sync of that object.`,
  check: ({ rendering }) => {
    const created = new Set(
      rendering.objects
        .filter((o) => o.object.kind === 'Namespace')
        .map((o) => `${o.cluster}/${(o.object.metadata as { name: string }).name}`),
    );
    return rendering.objects.flatMap((o) => {
      const namespace = namespaceOf(o.object);
      if (CLUSTER_SCOPED.has(String(o.object.kind)) || namespace === undefined) return [];
      if (created.has(`${o.cluster}/${namespace}`) || PREEXISTING_NAMESPACES.includes(namespace)) return [];
      return [
        {
          file: o.path,
          message: `namespace ${namespace} is neither created on ${o.cluster} nor one of ${PREEXISTING_NAMESPACES.join(', ')}`,
          subject: objectAnnotations(o.object),
        },
      ];
    });
  },
};
