import { describe, expect, it } from 'vitest';
import { EXTERNAL_DNS_IMAGE } from '../../platform/images';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { differences, flags, permissions, render } from './addons-helpers';

const prod = fixtureConfig('prod');
const rendering = render(prod);
const INSTANCES = [
  'external-dns-private',
  'external-dns-public',
  'live-external-dns-private',
  'live-external-dns-public',
];
const deployment = (cluster: string, name: string) =>
  findObject(rendering, cluster, 'Deployment', name, 'kube-system');
const args = (cluster: string, name: string): string[] =>
  deployment(cluster, name).spec.template.spec.containers[0].args;

describe('external-dns add-on', () => {
  it('runs four instances per cluster and nothing else as Deployments', () => {
    for (const cluster of ['prod-blue', 'prod-green']) {
      const names = objectsOf(rendering, cluster, 'external-dns')
        .filter((o) => o.object.kind === 'Deployment')
        .map((o) => (o.object.metadata as { name: string }).name);
      expect(names.sort()).toEqual(INSTANCES);
    }
  });

  it('publishes the cluster’s own names under eks-<color> and the live names at the zone apex', () => {
    expect(args('prod-blue', 'external-dns-private')).toEqual([
      '--source=service',
      '--source=ingress',
      '--domain-filter=devinfra.local',
      '--zone-id-filter=Z0000000PRIVATE',
      '--aws-zone-type=private',
      '--fqdn-template={{ .Annotations.PrivateDNSName }}.eks-blue.devinfra.local',
      '--annotation-filter=PrivateDNSName',
      '--ignore-hostname-annotation',
      '--provider=aws',
      '--policy=upsert-only',
      '--registry=txt',
      '--txt-owner-id=ingress-eks-blue.devinfra.local',
    ]);
    const live = flags(args('prod-green', 'live-external-dns-public'));
    expect(live.get('--fqdn-template')).toEqual(['{{ .Annotations.PublicDNSName }}.devinfra.fr']);
    expect(live.get('--annotation-filter')).toEqual(['PublicDNSName']);
    expect(live.get('--domain-filter')).toEqual(['devinfra.fr']);
    expect(live.get('--zone-id-filter')).toEqual(['Z0000000PUBLIC']);
    expect(live.get('--aws-zone-type')).toEqual(['public']);
    expect(live.get('--txt-owner-id')).toEqual(['ingress.devinfra.fr']);
    expect(live.get('--source')).toEqual(['service', 'ingress']);
  });

  it('gives each cluster instance its own TXT owner and shares the live owners across clusters', () => {
    const owner = (cluster: string, name: string) => flags(args(cluster, name)).get('--txt-owner-id')?.[0];
    const own = ['prod-blue', 'prod-green'].flatMap((c) =>
      ['external-dns-private', 'external-dns-public'].map((n) => owner(c, n)),
    );
    expect(new Set(own).size).toBe(4);
    for (const name of ['live-external-dns-private', 'live-external-dns-public']) {
      expect(owner('prod-blue', name)).toBe(owner('prod-green', name));
      expect(own).not.toContain(owner('prod-blue', name));
    }
  });

  it('runs the live instances only on the live cluster and the own instances everywhere', () => {
    expect(prod.live).toBe('blue');
    for (const name of INSTANCES) {
      expect(deployment('prod-blue', name).spec.replicas, name).toBe(1);
      expect(deployment('prod-green', name).spec.replicas, name).toBe(name.startsWith('live-') ? 0 : 1);
    }
  });

  it('changes exactly the replicas of the live Deployments, and nothing else, when live flips', () => {
    const flipped = render(fixtureConfig('prod', (raw) => (raw.live = 'green')));
    const before = new Map(rendering.objects.map((o) => [o.path, o.object]));
    const after = new Map(flipped.objects.map((o) => [o.path, o.object]));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...before].flatMap(([path, object]) =>
      differences(object, after.get(path)).map((d) => `${path} ${d.path}: ${d.from} -> ${d.to}`),
    );
    expect(changed.sort()).toEqual([
      'prod-blue/external-dns/deployment.apps_kube-system_live-external-dns-private.yaml spec.replicas: 1 -> 0',
      'prod-blue/external-dns/deployment.apps_kube-system_live-external-dns-public.yaml spec.replicas: 1 -> 0',
      'prod-green/external-dns/deployment.apps_kube-system_live-external-dns-private.yaml spec.replicas: 0 -> 1',
      'prod-green/external-dns/deployment.apps_kube-system_live-external-dns-public.yaml spec.replicas: 0 -> 1',
    ]);
  });

  it('recreates rather than rolls, probes /healthz on 7979 and runs as critical with fsGroup 65534', () => {
    for (const name of INSTANCES) {
      const object = deployment('prod-blue', name);
      const pod = object.spec.template.spec;
      const container = pod.containers[0];
      expect(object.spec.strategy).toEqual({ type: 'Recreate' });
      expect(container.image).toBe(EXTERNAL_DNS_IMAGE);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 7979 });
      expect(pod.securityContext.fsGroup).toBe(65534);
      expect(pod.priorityClassName).toBe('system-cluster-critical');
      expect(pod.serviceAccountName).toBe('external-dns');
      expect(object.spec.selector.matchLabels).toEqual(object.spec.template.metadata.labels);
      expect(object.spec.selector.matchLabels['app.kubernetes.io/instance']).toBe(name);
    }
  });

  it('shares one ServiceAccount with the IRSA role and reads only what its sources need', () => {
    const account = findObject(rendering, 'prod-green', 'ServiceAccount', 'external-dns', 'kube-system');
    expect(account.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(
      'arn:aws:iam::111111111111:role/prod-green-external-dns',
    );
    const role = findObject(rendering, 'prod-green', 'ClusterRole', 'external-dns');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['services', 'pods'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['watch', 'list'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'watch', 'list'] },
    ]);
    expect(findObject(rendering, 'prod-green', 'ClusterRoleBinding', 'external-dns-viewer').subjects).toEqual(
      [{ kind: 'ServiceAccount', name: 'external-dns', namespace: 'kube-system' }],
    );
  });
});

/**
 * Copied from kubernetes-sigs/external-dns at v0.22.0, the newest tag of the stored upstream
 * snapshot (the image is v0.23.0, tagged later): kustomize/external-dns-{deployment,clusterrole}.yaml
 * and charts/external-dns/values.yaml (probes, port, security context).
 */
const KUSTOMIZE_ARGS = ['--source=service', '--source=ingress', '--policy=upsert-only', '--registry=txt'];
const KUSTOMIZE_RULES = [
  { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: ['extensions'], resources: ['ingresses'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['watch', 'list'] },
];

describe('external-dns upstream parity (v0.22.0 kustomize/ and chart values)', () => {
  it('passes every flag of upstream’s kustomize Deployment, with Recreate as it does', () => {
    for (const name of INSTANCES) {
      const ours = args('prod-blue', name);
      expect(
        KUSTOMIZE_ARGS.filter((a) => !ours.includes(a)),
        name,
      ).toEqual([]);
      expect(deployment('prod-blue', name).spec.strategy, name).toEqual({ type: 'Recreate' });
    }
  });

  it('grants upstream’s RBAC minus the retired extensions group', () => {
    const ours = permissions(findObject(rendering, 'prod-green', 'ClusterRole', 'external-dns').rules);
    const upstream = permissions(KUSTOMIZE_RULES);
    expect(ours.filter((p) => !upstream.includes(p))).toEqual([]);
    // Deviation: extensions/v1beta1 Ingress was removed in Kubernetes 1.22
    // (https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-22).
    expect(upstream.filter((p) => !ours.includes(p))).toEqual([
      'extensions/ingresses:get',
      'extensions/ingresses:list',
      'extensions/ingresses:watch',
    ]);
  });

  it('serves /healthz on the chart’s port 7979 and keeps the chart’s security context with the nobody user', () => {
    const pod = deployment('prod-blue', 'external-dns-private').spec.template.spec;
    const container = pod.containers[0];
    expect(container.ports).toEqual([{ name: 'http', containerPort: 7979, protocol: 'TCP' }]);
    // The chart's liveness probe path and port; its readiness probe is the same handler, so none here.
    expect(container.livenessProbe).toMatchObject({
      httpGet: { path: '/healthz', port: 7979 },
      initialDelaySeconds: 10,
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      fsGroup: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    // Deviation: user 65534 (the chart's fsGroup) where the chart sets 65532. The binary writes
    // nothing (logrus to stderr, credentials read from the IRSA token file), so any non-root user works.
    expect(pod.securityContext.runAsUser).toBe(65534);
    expect(pod.volumes).toBeUndefined();
  });
});
