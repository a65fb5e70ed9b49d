import { Chart } from 'cdk8s';
import { IntOrString, KubeClusterRole, KubeClusterRoleBinding } from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { EXTERNAL_DNS_IMAGE } from '../../platform/images';
import { externalDnsInstances, irsaRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { addonLabels } from '../constructs/addon-labels';
import { addonResources } from '../constructs/addon-resources';
import { AddonWorkload } from '../constructs/addon-workload';
import { DisruptionBudget } from '../constructs/disruption-budget';
import { IrsaServiceAccount } from '../constructs/irsa-service-account';
import { annotateSyncWaves } from '../sync-waves';

export interface ExternalDnsChartProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
}

const NAME = 'external-dns';
/** The `nobody` user and group of the upstream security-context guide and of seed 001's fsGroup. */
const UID = 65534;

/**
 * The four external-dns instances of a blue/green cluster pair (seed 001): two publish the
 * cluster's own names under `eks-<color>`, two publish the live names at the zone apex and run only
 * on the cluster named by `live`. Flipping `live` changes nothing but those replicas.
 *
 * Flags are those of the seed (v0.7.6), checked against the pinned version's reference
 * (https://kubernetes-sigs.github.io/external-dns/v0.23.0/docs/flags/): none was removed or renamed.
 * Added: `--aws-zone-type` and `--zone-id-filter`, so each instance writes to exactly its hosted
 * zone even when a private and a public zone share a name.
 *
 * Upstream sources (pinned by test/manifests/addons-external-dns.test.ts): kustomize/ and
 * charts/external-dns/values.yaml of kubernetes-sigs/external-dns at v0.22.0, the newest tag of
 * the stored upstream snapshot (v0.23.0 was tagged after it)
 * (https://github.com/kubernetes-sigs/external-dns/tree/v0.22.0/kustomize). The binary logs with
 * logrus to stderr and reads its AWS credentials from the projected IRSA token: it writes nothing
 * to the read-only root filesystem, so the user (65534 here, 65532 in the chart) does not matter.
 */
export class ExternalDnsChart extends Chart {
  constructor(scope: Construct, id: string, props: ExternalDnsChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster } = props;
    const role = irsaRole(config, cluster, 'external-dns');
    const labels = addonLabels(NAME);

    // One ServiceAccount for the four instances: they share the IRSA role the infra stack creates.
    new IrsaServiceAccount(this, 'irsa', { role, labels });

    new KubeClusterRole(this, 'cluster-role', {
      metadata: { name: NAME, labels },
      rules: [
        { apiGroups: [''], resources: ['services', 'pods'], verbs: ['get', 'watch', 'list'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['watch', 'list'] },
        // Since v0.18 the service source reads EndpointSlices, not Endpoints
        // (https://github.com/kubernetes-sigs/external-dns/pull/5493).
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'watch', 'list'] },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'watch', 'list'] },
      ],
    });

    new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: `${NAME}-viewer`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: role.serviceAccount, namespace: role.namespace }],
    });

    for (const instance of externalDnsInstances(config, cluster)) {
      const podLabels = addonLabels(NAME, instance.name);
      new AddonWorkload(this, instance.name, {
        controller: {
          kind: 'Deployment',
          replicas: instance.live && cluster.color !== config.live ? 0 : 1,
          // Two pods of one instance would race on the same records: the old one stops first.
          strategy: { type: 'Recreate' },
        },
        name: instance.name,
        namespace: role.namespace,
        labels: podLabels,
        uid: UID,
        serviceAccountName: role.serviceAccount,
        priorityClassName: 'system-cluster-critical',
        containers: [
          {
            name: NAME,
            image: EXTERNAL_DNS_IMAGE,
            args: [
              '--source=service',
              '--source=ingress',
              `--domain-filter=${instance.zone}`,
              `--zone-id-filter=${instance.zoneId}`,
              `--aws-zone-type=${instance.visibility}`,
              `--fqdn-template={{ .Annotations.${instance.annotation} }}.${instance.recordDomain}`,
              // Label-selector semantics on annotation keys: only objects that carry the key.
              `--annotation-filter=${instance.annotation}`,
              // Names come from the template only. (Since v0.22 the hostname annotation is
              // external-dns.kubernetes.io/hostname, no longer …alpha…; it is ignored either way.)
              '--ignore-hostname-annotation',
              '--provider=aws',
              // Required since v0.22 (no default). upsert-only never deletes: the records of a
              // cluster that stops being live stay until the new live cluster overwrites them.
              '--policy=upsert-only',
              '--registry=txt',
              `--txt-owner-id=${instance.txtOwnerId}`,
            ],
            // Pods cannot reach the instance metadata service (IMDSv2, hop limit 1).
            env: [{ name: 'AWS_REGION', value: config.region }],
            ports: [{ name: 'http', containerPort: 7979, protocol: 'TCP' }],
            livenessProbe: {
              initialDelaySeconds: 10,
              httpGet: { path: '/healthz', port: IntOrString.fromNumber(7979) },
            },
            // Holds the Services, Ingresses and records of its zone; tens of MiB.
            resources: addonResources({ cpu: '25m', memory: '64Mi', memoryLimit: '128Mi' }),
          },
        ],
      });
      // Lets scale-down and drains move the pod (a kube-system pod without a budget pins its
      // node for cluster-autoscaler), one at a time. A missed minute is harmless: records stay in
      // Route 53 under upsert-only, and the next sync catches up.
      new DisruptionBudget(this, `${instance.name}-budget`, {
        name: instance.name,
        namespace: role.namespace,
        selector: podLabels,
        labels: podLabels,
      });
    }

    annotateSyncWaves(this);
  }
}
