import { describe, expect, it } from 'vitest';
import { containerResourcesRule, imagePinnedRule, runAsNonRootRule } from '../../cli/rules/container-policy';
import { kubernetesSchemaRule } from '../../cli/rules/kubernetes-schema';
import { SYNC_WAVES } from '../../manifests/sync-waves';
import { violationsOf } from '../cli/rule-violations';
import { findObject, fixtureConfig, objectsOf, renderConfigs } from '../helpers';

const prod = renderConfigs([fixtureConfig('prod')]);
const dev = renderConfigs([fixtureConfig('dev')]);
/** The objects of the app components (the add-ons have their own tests). */
const appObjects = [...prod.objects, ...dev.objects].filter((o) => o.component.startsWith('apps-'));

/** prod with one edit of the raw YAML, rendered. */
function prodWith(edit: (raw: Record<string, any>) => void) {
  return renderConfigs([fixtureConfig('prod', edit)]);
}

const ledgerDeployment = findObject(prod, 'prod-blue', 'Deployment', 'ledger', 'payments');
const webDeployment = findObject(prod, 'prod-blue', 'Deployment', 'web', 'web');
const podSpec = (deployment: Record<string, any>) => deployment.spec.template.spec;
const container = (deployment: Record<string, any>) => podSpec(deployment).containers[0];

describe('app chart: namespace and identity', () => {
  it('renders each app as its own component apps-<name> on every cluster it targets', () => {
    for (const cluster of ['prod-blue', 'prod-green']) {
      const components = new Set(
        objectsOf(prod, cluster)
          .map((o) => o.component)
          .filter((c) => c.startsWith('apps-')),
      );
      expect(components).toEqual(new Set(['apps-web', 'apps-ledger']));
    }
    expect(objectsOf(prod, 'prod-blue', 'apps-ledger').map((o) => o.path)).toContain(
      'prod-blue/apps-ledger/deployment.apps_payments_ledger.yaml',
    );
  });

  it('renders an app only on the clusters listed in its config', () => {
    const blueOnly = prodWith((raw) => {
      raw.apps[1].clusters = ['blue'];
    });
    expect(objectsOf(blueOnly, 'prod-blue', 'apps-ledger').length).toBeGreaterThan(0);
    expect(objectsOf(blueOnly, 'prod-green', 'apps-ledger')).toEqual([]);
  });

  it('creates the namespace with the team labels and the restricted pod security standard', () => {
    const namespace = findObject(prod, 'prod-blue', 'Namespace', 'payments');
    expect(namespace.metadata.namespace).toBeUndefined();
    expect(namespace.metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'ledger',
      team: 'payments',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    // dev's web sets no namespace and its team differs from its name.
    expect(findObject(dev, 'dev-blue', 'Namespace', 'web').metadata.labels.team).toBe('frontend');
  });

  it('syncs the namespace first, then the service account, then what runs under it (Argo CD waves)', () => {
    const wave = (kind: string) =>
      Number(
        findObject(prod, 'prod-blue', kind, kind === 'Namespace' ? 'payments' : 'ledger').metadata
          .annotations['argocd.argoproj.io/sync-wave'],
      );
    expect(wave('Namespace')).toBe(SYNC_WAVES.namespaces);
    expect(wave('ServiceAccount')).toBe(SYNC_WAVES.prerequisites);
    expect(wave('Namespace')).toBeLessThan(wave('ServiceAccount'));
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(wave(kind)).toBeGreaterThan(wave('ServiceAccount'));
    }
  });

  it('puts every namespaced object of an app in the app namespace', () => {
    for (const { object } of objectsOf(prod, 'prod-blue', 'apps-ledger')) {
      const metadata = object.metadata as { namespace?: string };
      expect(metadata.namespace).toBe(object.kind === 'Namespace' ? undefined : 'payments');
    }
  });

  it('runs the pods under their own service account, without an API token', () => {
    const account = findObject(prod, 'prod-blue', 'ServiceAccount', 'ledger', 'payments');
    expect(account.automountServiceAccountToken).toBe(false);
    expect(podSpec(ledgerDeployment).serviceAccountName).toBe('ledger');
    expect(podSpec(ledgerDeployment).automountServiceAccountToken).toBe(false);
  });
});

describe('app chart: deployment', () => {
  it('selects its pods on app.kubernetes.io/name only, which the pod template carries', () => {
    expect(ledgerDeployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'ledger' } });
    expect(ledgerDeployment.spec.template.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'ledger',
      team: 'payments',
    });
  });

  it('never labels or selects on the construct address', () => {
    for (const { object } of appObjects) {
      expect(JSON.stringify(object)).not.toContain('cdk8s.io/metadata.addr');
    }
  });

  it('runs the pinned image from config with requests and limits from config', () => {
    expect(container(ledgerDeployment).image).toBe(
      '222222222222.dkr.ecr.ca-central-1.amazonaws.com/ledger@sha256:4c8f2a1b9d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
    );
    expect(container(ledgerDeployment).resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    // web: an explicit memory limit and no CPU limit.
    expect(container(webDeployment).image).toBe('222222222222.dkr.ecr.ca-central-1.amazonaws.com/web:1.4.2');
    expect(container(webDeployment).resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '384Mi' },
    });
  });

  it('probes readiness at the health path and liveness with a TCP connection to the app port', () => {
    const web = container(webDeployment);
    expect(web.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(web.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    // No livenessPath: the process answering on its port is what keeps it alive, so a failing
    // dependency (readiness) never restarts the pod.
    for (const probe of [web.livenessProbe, web.startupProbe]) {
      expect(probe.tcpSocket).toEqual({ port: 'http' });
      expect(probe.httpGet).toBeUndefined();
    }
    // ledger leaves healthPath to its default.
    const ledger = container(ledgerDeployment);
    expect(ledger.ports[0].containerPort).toBe(9000);
    expect(ledger.readinessProbe.httpGet.path).toBe('/healthz');
    expect(ledger.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    // Traffic stops before a restart: readiness gives up sooner than liveness, and liveness
    // tolerates more consecutive failures.
    const giveUp = (p: { periodSeconds: number; failureThreshold: number }) =>
      p.periodSeconds * p.failureThreshold;
    expect(giveUp(ledger.readinessProbe)).toBeLessThan(giveUp(ledger.livenessProbe));
    expect(ledger.readinessProbe.failureThreshold).toBeLessThan(ledger.livenessProbe.failureThreshold);
    expect(giveUp(ledger.startupProbe)).toBe(150);
  });

  it('probes liveness and startup at livenessPath when the app sets one', () => {
    const withLiveness = prodWith((raw) => {
      raw.apps[0].livenessPath = '/health/live';
    });
    const web = container(findObject(withLiveness, 'prod-blue', 'Deployment', 'web', 'web'));
    expect(web.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(web.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(web.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(web.livenessProbe.tcpSocket).toBeUndefined();
  });

  it('rejects a livenessPath equal to healthPath', () => {
    expect(() =>
      fixtureConfig('prod', (raw) => {
        raw.apps[0].livenessPath = '/health/ready';
      }),
    ).toThrow(
      'prod.yaml: apps[0].livenessPath: must differ from healthPath (/health/ready): liveness must not fail with readiness',
    );
  });

  it('runs as a numeric non-root user with a read-only root filesystem, no capabilities and a writable /tmp', () => {
    for (const deployment of [ledgerDeployment, webDeployment]) {
      const spec = podSpec(deployment);
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(Number.isInteger(spec.securityContext.runAsUser)).toBe(true);
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container(deployment).securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      const tmp = container(deployment).volumeMounts.find((m: any) => m.mountPath === '/tmp');
      const volume = spec.volumes.find((v: any) => v.name === tmp.name);
      expect(volume.emptyDir.sizeLimit).toBeDefined();
    }
  });

  it('spreads the pods across zones, hard, and across nodes, soft', () => {
    const spread = podSpec(ledgerDeployment).topologySpreadConstraints;
    expect(spread).toContainEqual(
      expect.objectContaining({
        topologyKey: 'topology.kubernetes.io/zone',
        maxSkew: 1,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'ledger' } },
      }),
    );
    expect(spread).toContainEqual(
      expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }),
    );
  });

  it('leaves the replica count to the HorizontalPodAutoscaler and never lowers capacity in a rollout', () => {
    expect(ledgerDeployment.spec).not.toHaveProperty('replicas');
    expect(ledgerDeployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });
});

describe('app chart: autoscaling and disruptions', () => {
  it('scales the deployment on CPU with min, max and target from config (autoscaling/v2)', () => {
    const hpa = findObject(prod, 'prod-blue', 'HorizontalPodAutoscaler', 'ledger', 'payments');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ledger' },
      minReplicas: 2,
      maxReplicas: 4,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ],
    });
    // dev's web leaves targetCpuPercent to its default of 70.
    const devHpa = findObject(dev, 'dev-blue', 'HorizontalPodAutoscaler', 'web', 'web');
    expect([devHpa.spec.minReplicas, devHpa.spec.maxReplicas]).toEqual([1, 3]);
    expect(devHpa.spec.metrics[0].resource.target.averageUtilization).toBe(70);
  });

  it('lets voluntary disruptions take one pod of the deployment at a time (policy/v1)', () => {
    const pdb = findObject(prod, 'prod-blue', 'PodDisruptionBudget', 'ledger', 'payments');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: ledgerDeployment.spec.selector,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });
});

describe('app chart: placement (seed 000)', () => {
  const requiredLifecycle = (deployment: Record<string, any>) =>
    podSpec(deployment).affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;

  it('requires essential nodes for an essential app, with exactly the tolerations config lists', () => {
    expect(requiredLifecycle(ledgerDeployment)).toEqual({
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'lifecycle', operator: 'In', values: ['essential'] }] },
      ],
    });
    expect(podSpec(ledgerDeployment).tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'stateful', effect: 'NoSchedule' },
    ]);
  });

  it('requires spot nodes for a spot app and adds no toleration config does not ask for', () => {
    expect(requiredLifecycle(webDeployment)).toEqual({
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'lifecycle', operator: 'In', values: ['spot'] }] }],
    });
    expect(podSpec(webDeployment)).not.toHaveProperty('tolerations');
  });

  it('renders a spot toleration only when config asks for it', () => {
    const tolerant = prodWith((raw) => {
      raw.apps[0].tolerations = [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }];
    });
    const web = findObject(tolerant, 'prod-blue', 'Deployment', 'web', 'web');
    expect(podSpec(web).tolerations).toEqual([{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('puts no node constraint on an app placed anywhere', () => {
    const anywhere = prodWith((raw) => {
      raw.apps[1].placement = 'any';
      delete raw.apps[1].tolerations;
    });
    const ledger = findObject(anywhere, 'prod-blue', 'Deployment', 'ledger', 'payments');
    expect(podSpec(ledger)).not.toHaveProperty('affinity');
    expect(podSpec(ledger)).not.toHaveProperty('nodeSelector');
    expect(podSpec(ledger)).not.toHaveProperty('tolerations');
  });
});

describe('app chart: services and DNS (seed 001)', () => {
  const services = (rendering: typeof prod, cluster: string, component: string) =>
    objectsOf(rendering, cluster, component)
      .map((o) => o.object as Record<string, any>)
      .filter((o) => o.kind === 'Service');

  it('gives every app a ClusterIP service on port 80 in front of the http container port', () => {
    const service = findObject(prod, 'prod-blue', 'Service', 'ledger', 'payments');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'ledger' },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(service.metadata.annotations).not.toHaveProperty('PrivateDNSName');
  });

  it('publishes a private name through an internal NLB carrying PrivateDNSName only', () => {
    const service = findObject(prod, 'prod-blue', 'Service', 'ledger-private', 'payments');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.selector).toEqual(ledgerDeployment.spec.selector.matchLabels);
    expect(service.metadata.annotations).toMatchObject({
      PrivateDNSName: 'ledger',
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
    });
    expect(service.metadata.annotations).not.toHaveProperty('PublicDNSName');
    // ledger has no public name: no internet-facing load balancer.
    expect(services(prod, 'prod-blue', 'apps-ledger').map((s) => s.metadata.name)).toEqual([
      'ledger',
      'ledger-private',
    ]);
  });

  it('publishes a public name through a separate internet-facing NLB carrying PublicDNSName only', () => {
    expect(
      services(prod, 'prod-blue', 'apps-web')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['web', 'web-private', 'web-public']);
    const pub = findObject(prod, 'prod-blue', 'Service', 'web-public', 'web');
    expect(pub.spec.type).toBe('LoadBalancer');
    expect(pub.metadata.annotations).toMatchObject({
      PublicDNSName: 'www',
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
    expect(pub.metadata.annotations).not.toHaveProperty(
      'service.beta.kubernetes.io/aws-load-balancer-internal',
    );
    expect(pub.metadata.annotations).not.toHaveProperty('PrivateDNSName');
    const priv = findObject(prod, 'prod-blue', 'Service', 'web-private', 'web');
    expect(priv.metadata.annotations).toMatchObject({ PrivateDNSName: 'web' });
  });

  it('carries, on each published service, exactly the annotation an external-dns instance of its cluster filters on', () => {
    const filters = objectsOf(prod, 'prod-blue', 'external-dns')
      .map((o) => o.object as Record<string, any>)
      .filter((o) => o.kind === 'Deployment')
      .flatMap((o) => o.spec.template.spec.containers.flatMap((c: any) => c.args as string[]))
      .filter((arg) => arg.startsWith('--annotation-filter='))
      .map((arg) => arg.slice('--annotation-filter='.length));
    for (const [name, key] of [
      ['web-private', 'PrivateDNSName'],
      ['web-public', 'PublicDNSName'],
    ] as const) {
      const annotations = findObject(prod, 'prod-blue', 'Service', name, 'web').metadata.annotations;
      expect(filters).toContain(key);
      expect(Object.keys(annotations).filter((k) => filters.includes(k))).toEqual([key]);
    }
  });

  it('creates no load balancer for an app without DNS names', () => {
    const unpublished = prodWith((raw) => {
      delete raw.apps[1].dns;
    });
    const ledgerServices = services(unpublished, 'prod-blue', 'apps-ledger');
    expect(ledgerServices.map((s) => [s.metadata.name, s.spec.type])).toEqual([['ledger', 'ClusterIP']]);
  });
});

describe('app chart: validity', () => {
  it('renders only objects that validate against the Kubernetes schemas', () => {
    expect(appObjects.length).toBeGreaterThan(20);
    expect(violationsOf(kubernetesSchemaRule, { objects: appObjects })).toEqual([]);
  });

  it('passes the container policy of npm run check: pinned images, requests and limits, non-root', () => {
    expect(
      violationsOf([imagePinnedRule, containerResourcesRule, runAsNonRootRule], { objects: appObjects }),
    ).toEqual([]);
  });

  it('renders only API versions EKS 1.32+ serves', () => {
    const served = [
      'v1',
      'apps/v1',
      'batch/v1',
      'policy/v1',
      'autoscaling/v2',
      'networking.k8s.io/v1',
      'rbac.authorization.k8s.io/v1',
    ];
    for (const { object } of appObjects) expect(served).toContain(object.apiVersion);
  });
});

describe('app config rules', () => {
  const problems = (edit: (raw: Record<string, any>) => void) => {
    try {
      fixtureConfig('prod', edit);
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  };

  it('rejects two apps sharing a namespace', () => {
    expect(
      problems((raw) => {
        raw.apps[0].namespace = 'payments';
      }),
    ).toContain('apps[1].namespace: is the namespace of app web: each app owns its namespace');
  });

  it('rejects two apps with the same name in different namespaces', () => {
    expect(
      problems((raw) => {
        raw.apps[1].name = 'web';
        raw.apps[1].dns = {};
      }),
    ).toContain("apps[1].name: is used by another app: the name is the app's component apps-web");
  });

  it('rejects every later app sharing a namespace and names the first app of that namespace', () => {
    let at = 0;
    const message = problems((raw) => {
      at = raw.apps.length;
      const copy = (name: string) => ({ ...structuredClone(raw.apps[0]), name, namespace: 'web', dns: {} });
      raw.apps.push(copy('second'), copy('third'));
    });
    expect(message).toContain(
      `apps[${at}].namespace: is the namespace of app web: each app owns its namespace`,
    );
    expect(message).toContain(
      `apps[${at + 1}].namespace: is the namespace of app web: each app owns its namespace`,
    );
    expect(message).not.toContain('apps[0].namespace');
  });

  it('rejects every later copy of an app and names the namespace they share', () => {
    let at = 0;
    const message = problems((raw) => {
      at = raw.apps.length;
      raw.apps.push(structuredClone(raw.apps[0]), { ...structuredClone(raw.apps[0]), dns: {} });
    });
    expect(message).toContain(`apps[${at}].name: is used by another app in namespace web`);
    expect(message).toContain(`apps[${at + 1}].name: is used by another app in namespace web`);
    expect(message).not.toContain('apps[0].name');
  });

  it('rejects a namespace that belongs to Kubernetes', () => {
    expect(
      problems((raw) => {
        raw.apps[1].namespace = 'kube-system';
      }),
    ).toContain('apps[1].namespace: gives the namespace kube-system, which belongs to Kubernetes');
  });

  it('rejects a toleration value with the Exists operator', () => {
    expect(
      problems((raw) => {
        raw.apps[1].tolerations = [{ key: 'dedicated', operator: 'Exists', value: 'stateful' }];
      }),
    ).toContain('apps[1].tolerations[0].value: must be empty when operator is Exists');
  });
});
