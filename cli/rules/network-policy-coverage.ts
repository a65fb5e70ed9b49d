/**
 * Rule `network-policy-coverage` (issue 14, DESIGN §8 least privilege): every pod of an
 * application namespace is isolated for ingress, and every cluster enforces NetworkPolicies.
 *
 * An application namespace is a namespace, on one cluster, in which an app component
 * (`apps-<name>`, of an app of the rendered environment) renders a pod-bearing workload
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). Every pod-bearing workload
 * in such a namespace, whichever component renders it, must have its pod template selected by a
 * NetworkPolicy of that namespace whose policyTypes include Ingress: a pod that one such policy
 * selects accepts only what the namespace's policies allow, so the deny-by-default holds for it
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation).
 * The add-on namespaces (kube-system, argocd, overprovisioning…) are out of this rule's scope.
 *
 * Policies are inert unless the VPC CNI's network policy agent runs: every cluster stack's
 * vpc-cni add-on must set `enableNetworkPolicy: "true"` in its configuration values
 * (https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html).
 */
import { appComponent } from '../../platform/names';
import { selectorMatches } from './label-selectors';
import { type Finding, objectAnnotations, type Rule, terraformComments } from './rule';
import { blocksOf, type Json } from './terraform-json';

export const NETWORK_POLICY_COVERAGE = 'network-policy-coverage';

/** The labels of the pods a workload object creates, or undefined when it creates none. */
export function podTemplateLabels(object: Json): Record<string, string> | undefined {
  switch (object.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return object.spec?.template?.metadata?.labels ?? {};
    case 'CronJob':
      return object.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
    case 'Pod':
      return object.metadata?.labels ?? {};
    default:
      return undefined;
  }
}

/**
 * Whether a NetworkPolicy isolates the pods it selects for ingress: policyTypes lists Ingress, or
 * is omitted (Kubernetes then always includes Ingress).
 */
function isolatesIngress(policy: Json): boolean {
  const types = policy.spec?.policyTypes as string[] | undefined;
  return types === undefined || types.includes('Ingress');
}

export const networkPolicyCoverageRule: Rule<'network-policy-coverage'> = {
  id: NETWORK_POLICY_COVERAGE,
  summary:
    'Every pod of an application namespace (one where an app component runs a workload) is selected by a NetworkPolicy of type Ingress, so it only accepts the traffic its policies allow, and every cluster enforces NetworkPolicies (vpc-cni enableNetworkPolicy).',
  check({ rendering, configs }) {
    const findings: Finding[] = [];
    const appComponents = new Set(
      configs.flatMap((config) => config.apps.map((app) => `${config.name}/${appComponent(app)}`)),
    );
    const key = (cluster: string, namespace: unknown) => `${cluster}/${String(namespace)}`;
    const appNamespaces = new Set<string>();
    const policies = new Map<string, Json[]>();
    for (const o of rendering.objects) {
      const object = o.object as Json;
      const namespace = object.metadata?.namespace;
      if (object.kind === 'NetworkPolicy') {
        const list = policies.get(key(o.cluster, namespace)) ?? [];
        list.push(object);
        policies.set(key(o.cluster, namespace), list);
      } else if (
        appComponents.has(`${o.environment}/${o.component}`) &&
        podTemplateLabels(object) !== undefined
      ) {
        appNamespaces.add(key(o.cluster, namespace));
      }
    }
    for (const o of rendering.objects) {
      const object = o.object as Json;
      const labels = podTemplateLabels(object);
      const namespace = object.metadata?.namespace;
      if (labels === undefined || !appNamespaces.has(key(o.cluster, namespace))) continue;
      const isolating = (policies.get(key(o.cluster, namespace)) ?? []).filter(isolatesIngress);
      if (isolating.some((policy) => selectorMatches(policy.spec?.podSelector, labels))) continue;
      findings.push({
        file: o.path,
        message: `${object.kind} ${namespace}/${object.metadata?.name}: no NetworkPolicy of type Ingress in application namespace ${namespace} selects its pods (labels ${JSON.stringify(labels)}); ${
          isolating.length === 0
            ? 'the namespace has none'
            : `its ingress policies select ${isolating.map((p) => `${p.metadata?.name} ${JSON.stringify(p.spec?.podSelector ?? null)}`).join(', ')}`
        }: the pods accept traffic from anywhere`,
        subject: objectAnnotations(object),
      });
    }
    for (const stack of rendering.stacks) {
      if (blocksOf(stack, 'aws_eks_cluster').length === 0) continue;
      const cni = blocksOf(stack, 'aws_eks_addon').filter(([, addon]) => addon.addon_name === 'vpc-cni');
      const enforcing = cni.some(([, addon]) => {
        try {
          return JSON.parse(String(addon.configuration_values ?? '{}')).enableNetworkPolicy === 'true';
        } catch {
          return false;
        }
      });
      if (!enforcing) {
        const [cluster] = blocksOf(stack, 'aws_eks_cluster');
        findings.push({
          file: stack.path,
          // The exception goes on the vpc-cni add-on, or on the cluster when it has none.
          subject: terraformComments(cni[0]?.[1] ?? cluster?.[1] ?? {}),
          message:
            cni.length === 0
              ? 'has an EKS cluster without the vpc-cni managed add-on: nothing enforces its NetworkPolicies'
              : `aws_eks_addon.${cni.map(([id]) => id).join(', ')}: configuration_values must set enableNetworkPolicy "true", got ${JSON.stringify(cni.map(([, a]) => a.configuration_values ?? null))}: without the network policy agent every NetworkPolicy is ignored`,
        });
      }
    }
    return findings;
  },
};
