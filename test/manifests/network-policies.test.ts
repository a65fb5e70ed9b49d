import { describe, expect, it } from 'vitest';
import { podTemplateLabels } from '../../cli/rules/network-policy-coverage';
import { SYNC_WAVE_ANNOTATION, SYNC_WAVES } from '../../manifests/sync-waves';
import {
  appClusters,
  appNamespace,
  CLUSTER_DNS,
  clusterName,
  NETWORK_POLICY_NAMES,
} from '../../platform/names';
import { formatCidr, parseCidr, zoneSubnets } from '../../platform/network';
import type { AppConfig, PlatformConfig } from '../../platform/schema';
import {
  FIXTURE_ENVIRONMENTS,
  fixtureConfig,
  objectsOf,
  renderConfigs,
  resourcesOf,
  stackOf,
} from '../helpers';
import { PolicyEvaluator } from './network-policy-eval';

const configs = FIXTURE_ENVIRONMENTS.map((env) => fixtureConfig(env));
const rendering = renderConfigs(configs);

/** The n-th address of a CIDR. */
function host(cidr: string, n: number): string {
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string') throw new Error(parsed);
  return formatCidr({ address: parsed.address + n, prefix: 32 }).replace('/32', '');
}

interface Pod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly workload: string;
}

/** Every app of every fixture cluster, with the evaluator of its cluster and the pods of its namespace. */
const cases = configs.flatMap((config) =>
  config.clusters.flatMap((cluster) => {
    const name = clusterName(config, cluster);
    const objects = objectsOf(rendering, name);
    const evaluator = new PolicyEvaluator(objects);
    return config.apps
      .filter((app) => appClusters(config, app).includes(cluster.color))
      .map((app) => {
        const namespace = appNamespace(app);
        const pods: Pod[] = objects.flatMap(({ object }) => {
          const labels = podTemplateLabels(object);
          const metadata = object.metadata as { name: string; namespace?: string };
          return labels === undefined || metadata.namespace !== namespace
            ? []
            : [{ namespace, labels, workload: `${object.kind} ${metadata.name}` }];
        });
        const appPod = pods.find((p) => p.workload === `Deployment ${app.name}`);
        if (appPod === undefined) throw new Error(`no Deployment ${app.name} on ${name}`);
        return { config, cluster: name, app, namespace, objects, evaluator, pods, appPod };
      });
  }),
);

const each = (title: string, test: (c: (typeof cases)[number]) => void) => {
  for (const c of cases) it(`${title} (${c.cluster}, app ${c.app.name})`, () => test(c));
};

/** A pod of a namespace no app declares, with labels no policy names. */
const stranger = { namespace: 'intruder', labels: { 'app.kubernetes.io/name': 'intruder' } };

/** A node of another zone than the pod's: an address of the last zone's private subnet. */
function otherNodeIp(config: PlatformConfig): string {
  const zones = config.network.availabilityZones;
  return host(zoneSubnets(config.network.cidr, zones[zones.length - 1] as string).private, 10);
}

const published = (app: AppConfig) => app.dns.private !== undefined || app.dns.public !== undefined;

describe('app network policies', () => {
  it('renders the pods of every app and the ledger reconciliation into the cases below', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
    expect(cases.some((c) => c.pods.some((p) => p.workload === 'CronJob ledger-reconciliation'))).toBe(true);
  });

  each(
    'denies ingress by default to every pod of the namespace',
    ({ objects, namespace, pods, evaluator }) => {
      const deny = objects.find(
        (o) =>
          o.object.kind === 'NetworkPolicy' &&
          (o.object.metadata as { name: string; namespace: string }).name ===
            NETWORK_POLICY_NAMES.denyIngress &&
          (o.object.metadata as { namespace: string }).namespace === namespace,
      )?.object as Record<string, any>;
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
      for (const pod of pods) {
        expect(evaluator.isolated('Ingress', pod), pod.workload).toBe(true);
        expect(evaluator.ingressAllowed(pod, stranger, { port: 8080 }), pod.workload).toBe(false);
      }
    },
  );

  each('syncs every policy of the namespace before its workloads', ({ objects, namespace }) => {
    const wave = (o: { object: Record<string, any> }) =>
      Number(o.object.metadata.annotations[SYNC_WAVE_ANNOTATION]);
    const inNamespace = objects.filter(
      (o) => (o.object.metadata as { namespace?: string }).namespace === namespace,
    );
    const policies = inNamespace.filter((o) => o.object.kind === 'NetworkPolicy');
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const policy of policies) {
      expect(wave(policy)).toBe(SYNC_WAVES.prerequisites);
      for (const workload of inNamespace.filter((o) => podTemplateLabels(o.object) !== undefined)) {
        expect(wave(policy)).toBeLessThan(wave(workload));
      }
    }
  });

  each('lets the pods of the same namespace reach each other on any port', ({ pods, evaluator }) => {
    for (const to of pods) {
      for (const from of pods) {
        expect(evaluator.ingressAllowed(to, from, { port: 12345 })).toBe(true);
        expect(evaluator.egressAllowed(from, to, { port: 12345 })).toBe(true);
      }
    }
  });

  each(
    "lets the load balancer's traffic, masqueraded to a node IP, reach the app's port and nothing else",
    ({ config, app, appPod, evaluator, objects, namespace }) => {
      const node = { ip: otherNodeIp(config) };
      expect(evaluator.ingressAllowed(appPod, node, { port: app.port })).toBe(published(app));
      expect(evaluator.ingressAllowed(appPod, node, { port: app.port + 1 })).toBe(false);
      expect(evaluator.ingressAllowed(appPod, node, { port: app.port, protocol: 'UDP' })).toBe(false);
      // A client's own address never reaches the pod: the policy does not open the app to it.
      expect(evaluator.ingressAllowed(appPod, { ip: '203.0.113.7' }, { port: app.port })).toBe(false);
      // The policy holds only while kube-proxy masquerades NLB traffic (externalTrafficPolicy Cluster).
      const balancers = objects.filter(
        (o) =>
          o.object.kind === 'Service' &&
          (o.object.metadata as { namespace: string }).namespace === namespace &&
          (o.object.spec as { type: string }).type === 'LoadBalancer',
      );
      expect(balancers.length > 0).toBe(published(app));
      for (const { object } of balancers) {
        expect((object.spec as { externalTrafficPolicy?: string }).externalTrafficPolicy).toBe('Cluster');
      }
    },
  );

  each('keeps cluster DNS reachable over UDP and TCP from every pod', ({ pods, evaluator }) => {
    const coredns = { namespace: CLUSTER_DNS.namespace, labels: { ...CLUSTER_DNS.podLabels } };
    for (const pod of pods) {
      for (const protocol of ['UDP', 'TCP'] as const) {
        expect(evaluator.egressAllowed(pod, coredns, { port: 53, protocol }), pod.workload).toBe(true);
      }
      // The DNS allow is for CoreDNS, not for any pod of kube-system on any port.
      if (evaluator.isolated('Egress', pod)) {
        expect(evaluator.egressAllowed(pod, coredns, { port: 8080 })).toBe(false);
        expect(evaluator.egressAllowed(pod, { namespace: 'kube-system', labels: {} }, { port: 53 })).toBe(
          false,
        );
      }
    }
  });

  each('leaves egress open unless the app lists egressTo', ({ app, pods, evaluator }) => {
    for (const pod of pods) {
      expect(evaluator.isolated('Egress', pod)).toBe(app.egressTo !== undefined);
      expect(evaluator.egressAllowed(pod, { ip: '52.94.1.1' }, { port: 443 })).toBe(
        app.egressTo === undefined,
      );
    }
  });
});

describe('declared traffic', () => {
  const find = (cluster: string, app: string) => {
    const found = cases.find((c) => c.cluster === cluster && c.app.name === app);
    if (found === undefined) throw new Error(`${app} on ${cluster}`);
    return found;
  };

  it("lets the namespaces ingressFrom selects by label reach the app's pods on its port only", () => {
    const ledger = find('prod-blue', 'ledger');
    const web = find('prod-blue', 'web').appPod;
    expect(ledger.app.ingressFrom).toEqual([{ namespaceLabels: { team: 'frontend' } }]);
    expect(ledger.evaluator.labelsOfNamespace('web').team).toBe('frontend');
    expect(ledger.evaluator.ingressAllowed(ledger.appPod, web, { port: 9000 })).toBe(true);
    expect(ledger.evaluator.ingressAllowed(ledger.appPod, web, { port: 9001 })).toBe(false);
    // Only the app's pods: the reconciliation job serves nobody.
    const job = ledger.pods.find((p) => p.workload === 'CronJob ledger-reconciliation') as Pod;
    expect(ledger.evaluator.ingressAllowed(job, web, { port: 9000 })).toBe(false);
    // Nothing is declared the other way.
    const webCase = find('prod-blue', 'web');
    expect(webCase.evaluator.ingressAllowed(webCase.appPod, ledger.appPod, { port: 8080 })).toBe(false);
  });

  it('lets a namespace, namespaces by label and a network reach exactly the declared ports', () => {
    const reports = find('stage-green', 'reports');
    const { evaluator, appPod } = reports;
    const api = find('stage-green', 'api').appPod;
    expect(evaluator.ingressAllowed(appPod, api, { port: 8080 })).toBe(true);
    expect(evaluator.ingressAllowed(appPod, api, { port: 9090 })).toBe(true);
    expect(evaluator.ingressAllowed(appPod, api, { port: 8081 })).toBe(false);
    // namespaceLabels { team: data }: the batch namespace itself carries it; another one would too.
    expect(evaluator.labelsOfNamespace('batch').team).toBe('data');
    const warehouse = { namespace: 'warehouse', labels: {} };
    expect(evaluator.ingressAllowed(appPod, warehouse, { port: 8080 })).toBe(false);
    // No ports: the app's port.
    expect(evaluator.ingressAllowed(appPod, { ...stranger, ip: '192.168.10.7' }, { port: 8080 })).toBe(true);
    expect(evaluator.ingressAllowed(appPod, { ip: '192.168.10.7' }, { port: 9090 })).toBe(false);
    expect(evaluator.ingressAllowed(appPod, { ip: '192.168.11.7' }, { port: 8080 })).toBe(false);
    // Not published: no load balancer rule, so another node's address is refused.
    expect(reports.app.dns).toEqual({});
    expect(evaluator.ingressAllowed(appPod, { ip: otherNodeIp(reports.config) }, { port: 8080 })).toBe(false);
  });

  it('lets a pod of a namespace with the declared labels in', () => {
    const reports = find('stage-green', 'reports');
    // A namespace labelled team: data, as the rendering would label another data team's app.
    const evaluator = new PolicyEvaluator([
      ...reports.objects,
      {
        environment: 'stage',
        cluster: 'stage-green',
        component: 'test',
        path: 'x',
        object: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'warehouse', labels: { team: 'data' } },
        },
      },
    ]);
    expect(
      evaluator.ingressAllowed(reports.appPod, { namespace: 'warehouse', labels: {} }, { port: 8080 }),
    ).toBe(true);
    expect(
      evaluator.ingressAllowed(reports.appPod, { namespace: 'warehouse', labels: {} }, { port: 9090 }),
    ).toBe(false);
  });

  it('restricts egress to the destinations egressTo lists, for every pod of the namespace', () => {
    const ledger = find('prod-blue', 'ledger');
    expect(ledger.app.egressTo).toEqual([{ cidr: '10.60.0.0/24', ports: [5432] }]);
    for (const pod of ledger.pods) {
      expect(ledger.evaluator.egressAllowed(pod, { ip: '10.60.0.12' }, { port: 5432 }), pod.workload).toBe(
        true,
      );
      expect(ledger.evaluator.egressAllowed(pod, { ip: '10.60.0.12' }, { port: 22 })).toBe(false);
      expect(ledger.evaluator.egressAllowed(pod, { ip: '10.61.0.12' }, { port: 5432 })).toBe(false);
      expect(ledger.evaluator.egressAllowed(pod, find('prod-blue', 'web').appPod, { port: 8080 })).toBe(
        false,
      );
    }
  });
});

describe('network policy enforcement', () => {
  it('turns on the network policy agent of every cluster’s vpc-cni add-on', () => {
    const clusters = configs.flatMap((config) => config.clusters.map((c) => clusterName(config, c)));
    expect(clusters.length).toBeGreaterThanOrEqual(4);
    for (const cluster of clusters) {
      const addon = resourcesOf(stackOf(rendering, cluster), 'aws_eks_addon')['addon-vpc-cni'];
      expect(JSON.parse(addon?.configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
      // The other add-ons keep EKS's defaults.
      expect(
        resourcesOf(stackOf(rendering, cluster), 'aws_eks_addon')['addon-coredns']?.configuration_values,
      ).toBe(undefined);
    }
  });
});
