import { describe, expect, it } from 'vitest';
import { containerResourcesRule, runAsNonRootRule } from '../../cli/rules/container-policy';
import { exceptionKey } from '../../cli/rules/rule';
import { clusterDnsPeers } from '../../manifests/constructs/app-network-policies';
import { kubeDnsServiceIp, NODE_LOCAL_DNS_IP } from '../../platform/node-local-dns';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { render } from './addons-helpers';
import { PolicyEvaluator } from './network-policy-eval';

/**
 * The Corefile of kubernetes/kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml at
 * 028f956d2f934d6c82ca815e3f8d622da7e480cb, verbatim with its placeholders.
 */
const UPSTREAM_COREFILE = `__PILLAR__DNS__DOMAIN__:53 {
    errors
    cache {
            success 9984 30
            denial 9984 5
    }
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
    health __PILLAR__LOCAL__DNS__:8080
    }
in-addr.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
    }
ip6.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
    }
.:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__UPSTREAM__SERVERS__
    prometheus :9253
    }
`;

/** The substitutions of the kubernetes.io guide for kube-proxy in iptables mode. */
function iptablesModeCorefile(kubeDns: string): string {
  return UPSTREAM_COREFILE.replaceAll('__PILLAR__DNS__DOMAIN__', 'cluster.local')
    .replaceAll('__PILLAR__LOCAL__DNS__', '169.254.20.10')
    .replaceAll('__PILLAR__DNS__SERVER__', kubeDns);
}

const turnOn = (raw: Record<string, any>) => {
  raw.addons = { ...raw.addons, nodeLocalDns: { enabled: true } };
};
const prod = fixtureConfig('prod', turnOn);
// A VPC outside 10.0.0.0/8, where EKS takes the Service range 10.100.0.0/16.
const outsideTen = fixtureConfig('dev', (raw) => {
  turnOn(raw);
  raw.network.cidr = '172.31.0.0/16';
});
// The default: the fixture does not mention the add-on.
const off = fixtureConfig('stage', (raw) => {
  expect(raw.addons.nodeLocalDns).toBeUndefined();
  // An app that restricts egress, so its namespace has the DNS allow.
  raw.apps[0].egressTo = [];
});
const rendering = render(prod, outsideTen, off);
const daemonSet = (cluster = 'prod-blue') =>
  findObject(rendering, cluster, 'DaemonSet', 'node-local-dns', 'kube-system');

describe('node-local DNS add-on', () => {
  it('is off unless the environment turns it on', () => {
    expect(off.addons.nodeLocalDns).toEqual({ enabled: false });
    expect(prod.addons.nodeLocalDns).toEqual({ enabled: true });
  });

  it('takes the kube-dns address from the Service range EKS chooses for the VPC', () => {
    expect(prod.network.cidr).toBe('10.20.0.0/16');
    expect(kubeDnsServiceIp('10.20.0.0/16')).toBe('172.20.0.10');
    expect(kubeDnsServiceIp('10.255.0.0/16')).toBe('172.20.0.10');
    expect(kubeDnsServiceIp('172.31.0.0/16')).toBe('10.100.0.10');
    expect(kubeDnsServiceIp('192.168.0.0/16')).toBe('10.100.0.10');
    expect(kubeDnsServiceIp('11.0.0.0/16')).toBe('10.100.0.10');
  });

  it('renders the Corefile of the pinned upstream manifest with the iptables-mode substitutions', () => {
    const config = findObject(rendering, 'prod-blue', 'ConfigMap', 'node-local-dns', 'kube-system');
    expect(config.data).toEqual({ Corefile: iptablesModeCorefile('172.20.0.10') });
    expect(config.data.Corefile).toContain('bind 169.254.20.10 172.20.0.10');
    // Filled in by node-cache at start-up: the upstream Service and the node's resolvers.
    expect(config.data.Corefile).toContain('forward . __PILLAR__CLUSTER__DNS__');
    expect(config.data.Corefile).toContain('forward . __PILLAR__UPSTREAM__SERVERS__');
    const other = findObject(rendering, 'dev-blue', 'ConfigMap', 'node-local-dns', 'kube-system');
    expect(other.data).toEqual({ Corefile: iptablesModeCorefile('10.100.0.10') });
  });

  it('binds the link-local and kube-dns addresses, so pods keep their resolv.conf and kubelets are unchanged', () => {
    const container = daemonSet().spec.template.spec.containers[0];
    expect(container.args).toEqual([
      '-localip',
      '169.254.20.10,172.20.0.10',
      '-conf',
      '/etc/Corefile',
      '-upstreamsvc',
      'kube-dns-upstream',
      '-pidfile',
      '/tmp/node-cache.pid',
    ]);
    expect(daemonSet('dev-blue').spec.template.spec.containers[0].args[1]).toBe('169.254.20.10,10.100.0.10');
  });

  it('pins the upstream DaemonSet: image, ports, probe, volumes, tolerations, priority and host network', () => {
    const ds = daemonSet();
    expect(ds.spec.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '10%' },
    });
    expect(ds.spec.selector.matchLabels).toMatchObject({ 'k8s-app': 'node-local-dns' });
    const pod = ds.spec.template;
    expect(pod.metadata.annotations).toMatchObject({
      'prometheus.io/port': '9253',
      'prometheus.io/scrape': 'true',
    });
    expect(pod.spec).toMatchObject({
      priorityClassName: 'system-node-critical',
      serviceAccountName: 'node-local-dns',
      hostNetwork: true,
      dnsPolicy: 'Default',
    });
    // node-cache reads kube-dns-upstream's ClusterIP from its service-link variable.
    expect(pod.spec.enableServiceLinks).toBeUndefined();
    expect(pod.spec.tolerations).toEqual([
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { effect: 'NoExecute', operator: 'Exists' },
      { effect: 'NoSchedule', operator: 'Exists' },
    ]);
    const [container, ...others] = pod.spec.containers;
    expect(others).toEqual([]);
    expect(container.name).toBe('node-cache');
    expect(container.image).toBe('registry.k8s.io/dns/k8s-dns-node-cache:1.26.4');
    expect(container.resources).toEqual({ requests: { cpu: '25m', memory: '5Mi' } });
    expect(container.ports).toEqual([
      { containerPort: 53, name: 'dns', protocol: 'UDP' },
      { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
      { containerPort: 9253, name: 'metrics', protocol: 'TCP' },
    ]);
    expect(container.livenessProbe).toEqual({
      httpGet: { host: '169.254.20.10', path: '/health', port: 8080 },
      initialDelaySeconds: 60,
      timeoutSeconds: 5,
    });
    expect(container.volumeMounts).toEqual([
      { mountPath: '/run/xtables.lock', name: 'xtables-lock', readOnly: false },
      { mountPath: '/etc/coredns', name: 'config-volume' },
      { mountPath: '/etc/kube-dns', name: 'kube-dns-config' },
    ]);
    expect(pod.spec.volumes).toEqual([
      { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
      { name: 'kube-dns-config', configMap: { name: 'kube-dns', optional: true } },
      {
        name: 'config-volume',
        configMap: { name: 'node-local-dns', items: [{ key: 'Corefile', path: 'Corefile.base' }] },
      },
    ]);
  });

  it('relaxes only what node-cache needs: root, NET_ADMIN added, a writable root; seccomp and no escalation kept', () => {
    const spec = daemonSet().spec.template.spec;
    expect(spec.securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      capabilities: { add: ['NET_ADMIN'] },
    });
    // Every other add-on pod stays restricted.
    const others = rendering.objects.filter(
      (o) =>
        o.cluster === 'prod-blue' &&
        ['Deployment', 'DaemonSet'].includes(o.object.kind as string) &&
        o.component !== 'node-local-dns',
    );
    expect(others.length).toBeGreaterThan(0);
    for (const { object } of others) {
      const podSpec = (object as Record<string, any>).spec.template.spec;
      expect(podSpec.hostNetwork).toBeUndefined();
      for (const c of podSpec.containers) expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    }
  });

  it('writes the exceptions to run-as-non-root and container-resources on the pod template, with their reasons', () => {
    const annotations = daemonSet().spec.template.metadata.annotations as Record<string, string>;
    const exceptions = Object.keys(annotations).filter((key) => key.startsWith('policy.eks-platform.io/'));
    expect(exceptions.sort()).toEqual([exceptionKey('container-resources'), exceptionKey('run-as-non-root')]);
    expect(annotations[exceptionKey('run-as-non-root')]).toMatch(/NET_ADMIN.*root/);
    expect(annotations[exceptionKey('container-resources')]).toMatch(
      /kubernetes\.io\/docs\/tasks\/administer-cluster\/nodelocaldns\/#setting-memory-limits/,
    );
    const input = { rendering, configs: [prod, outsideTen, off] };
    for (const rule of [runAsNonRootRule, containerResourcesRule]) {
      const findings = rule.check(input).filter((f) => f.file.includes('/node-local-dns/'));
      // One DaemonSet per cluster: prod-blue, prod-green, dev-blue.
      expect(findings.length, rule.id).toBe(3);
      for (const finding of findings) expect(finding.subject?.[exceptionKey(rule.id)]).toBeTruthy();
    }
  });

  it('renders the kube-dns-upstream Service, the metrics Service and a ServiceAccount without a token', () => {
    const upstream = findObject(rendering, 'prod-blue', 'Service', 'kube-dns-upstream', 'kube-system');
    expect(upstream.metadata.labels).toMatchObject({
      'k8s-app': 'kube-dns',
      'kubernetes.io/name': 'KubeDNSUpstream',
    });
    expect(upstream.spec).toEqual({
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    });
    const metrics = findObject(rendering, 'prod-blue', 'Service', 'node-local-dns', 'kube-system');
    expect(metrics.metadata.annotations).toMatchObject({
      'prometheus.io/port': '9253',
      'prometheus.io/scrape': 'true',
    });
    expect(metrics.spec).toEqual({
      clusterIP: 'None',
      ports: [{ name: 'metrics', port: 9253, targetPort: 9253 }],
      selector: { 'k8s-app': 'node-local-dns' },
    });
    expect(daemonSet().spec.template.metadata.labels).toMatchObject(metrics.spec.selector);
    const account = findObject(rendering, 'prod-blue', 'ServiceAccount', 'node-local-dns', 'kube-system');
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it('renders nothing, not even its Application, when enabled is false', () => {
    expect(objectsOf(rendering, 'stage-green').length).toBeGreaterThan(0);
    expect(objectsOf(rendering, 'stage-green', 'node-local-dns')).toEqual([]);
    const names = objectsOf(rendering, 'stage-green').map(
      (o) => (o.object.metadata as { name: string }).name,
    );
    expect(names).not.toContain('node-local-dns');
    expect(names).not.toContain('kube-dns-upstream');
    expect(objectsOf(rendering, 'prod-blue', 'node-local-dns').length).toBe(5);
  });
});

describe('DNS egress with node-local DNS', () => {
  const ledgerPods = (cluster: string) => {
    const objects = objectsOf(rendering, cluster);
    const evaluator = new PolicyEvaluator(objects);
    return { evaluator, pod: { namespace: 'payments', labels: { 'app.kubernetes.io/name': 'ledger' } } };
  };

  it('lets a namespace with egressTo reach the kube-dns and link-local addresses on port 53 only', () => {
    expect(prod.apps.find((a) => a.name === 'ledger')?.egressTo).toBeDefined();
    const { evaluator, pod } = ledgerPods('prod-blue');
    expect(evaluator.isolated('Egress', pod)).toBe(true);
    for (const ip of ['172.20.0.10', NODE_LOCAL_DNS_IP]) {
      for (const protocol of ['UDP', 'TCP'] as const) {
        expect(evaluator.egressAllowed(pod, { ip }, { port: 53, protocol }), `${ip} ${protocol}`).toBe(true);
      }
      expect(evaluator.egressAllowed(pod, { ip }, { port: 9253 })).toBe(false);
    }
    expect(evaluator.egressAllowed(pod, { ip: '172.20.0.11' }, { port: 53, protocol: 'UDP' })).toBe(false);
  });

  it('lists only the CoreDNS pods when node-local DNS is off', () => {
    const coreDnsOnly = clusterDnsPeers(off);
    expect(coreDnsOnly).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ]);
    expect(clusterDnsPeers(prod)).toEqual([
      ...coreDnsOnly,
      { ipBlock: { cidr: '172.20.0.10/32' } },
      { ipBlock: { cidr: '169.254.20.10/32' } },
    ]);
    const dnsAllows = rendering.objects.filter(
      (o) =>
        o.cluster === 'stage-green' &&
        o.object.kind === 'NetworkPolicy' &&
        (o.object.metadata as { name: string }).name === 'allow-cluster-dns',
    );
    expect(dnsAllows.length).toBe(1);
    for (const { object } of dnsAllows) {
      expect((object as Record<string, any>).spec.egress[0].to).toEqual(coreDnsOnly);
    }
  });
});
