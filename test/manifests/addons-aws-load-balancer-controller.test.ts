import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../cli/rules/all-rules';
import {
  AWS_LOAD_BALANCER_CONTROLLER_CHART_SOURCE,
  LOAD_BALANCER_CONTROLLER_RULES,
} from '../../manifests/charts/aws-load-balancer-controller-chart';
import { AWS_LOAD_BALANCER_CONTROLLER_CRDS_YAML } from '../../manifests/data/aws-load-balancer-controller-crds';
import { SYNC_WAVE_ANNOTATION } from '../../manifests/sync-waves';
import { ConfigError } from '../../platform/load';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { flags, render } from './addons-helpers';

const on = (raw: Record<string, any>) => {
  raw.addons = { ...raw.addons, loadBalancerController: { enabled: true } };
};
const prod = fixtureConfig('prod', on);
// The default: the fixture does not mention the add-on.
const off = fixtureConfig('stage', (raw) => {
  expect(raw.addons?.loadBalancerController).toBeUndefined();
});
// web serves its names through ALBs.
const alb = fixtureConfig('dev', (raw) => {
  on(raw);
  expect(raw.apps[0].name).toBe('web');
  raw.apps[0].loadBalancer = 'alb';
});
const rendering = render(prod, off, alb);
const COMPONENT = 'aws-load-balancer-controller';
const get = (kind: string, name: string, namespace?: string, cluster = 'prod-blue') =>
  findObject(rendering, cluster, kind, name, namespace);
const deployment = () => get('Deployment', COMPONENT, 'kube-system');
const container = () => deployment().spec.template.spec.containers[0];
const wave = (o: Record<string, any>) => o.metadata.annotations?.[SYNC_WAVE_ANNOTATION];

describe('AWS Load Balancer Controller add-on (manifests)', () => {
  it('is off unless the environment turns it on, and then renders nothing of it', () => {
    expect(off.addons.loadBalancerController).toEqual({ enabled: false });
    expect(objectsOf(rendering, 'stage-green', COMPONENT)).toEqual([]);
    expect(
      rendering.objects.filter((o) => o.cluster === 'stage-green' && o.path.includes(COMPONENT)),
    ).toEqual([]);
    expect(
      objectsOf(rendering, 'prod-blue', COMPONENT)
        .map((o) => o.object.kind)
        .sort(),
    ).toEqual([
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'Deployment',
      'IngressClass',
      'Job',
      'Job',
      'MutatingWebhookConfiguration',
      'PodDisruptionBudget',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'ServiceAccount',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
  });

  it(`pins what it takes from the upstream chart (${AWS_LOAD_BALANCER_CONTROLLER_CHART_SOURCE}): image, ports, probes, replicas, security`, () => {
    expect(AWS_LOAD_BALANCER_CONTROLLER_CHART_SOURCE).toContain(
      '/tree/v3.5.0/helm/aws-load-balancer-controller',
    );
    const spec = deployment().spec;
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.serviceAccountName).toBe('aws-load-balancer-controller');
    expect(spec.template.spec.priorityClassName).toBe('system-cluster-critical');
    expect(spec.template.spec.terminationGracePeriodSeconds).toBe(10);
    expect(
      spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution,
    ).toEqual([
      {
        weight: 100,
        podAffinityTerm: {
          labelSelector: {
            matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [COMPONENT] }],
          },
          topologyKey: 'kubernetes.io/hostname',
        },
      },
    ]);
    const c = container();
    expect(c.image).toBe('public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0');
    expect(c.ports).toEqual([
      { name: 'webhook-server', containerPort: 9443, protocol: 'TCP' },
      { name: 'metrics-server', containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(c.livenessProbe).toEqual({
      failureThreshold: 2,
      httpGet: { path: '/healthz', port: 61779, scheme: 'HTTP' },
      initialDelaySeconds: 30,
      timeoutSeconds: 10,
    });
    expect(c.readinessProbe).toEqual({
      failureThreshold: 2,
      httpGet: { path: '/readyz', port: 61779, scheme: 'HTTP' },
      successThreshold: 1,
      initialDelaySeconds: 10,
      timeoutSeconds: 10,
    });
    // Upstream: readOnlyRootFilesystem, runAsNonRoot, no escalation; the image's user is distroless nonroot.
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    // The only place it reads from disk: the webhook certificate, mounted read-only where
    // controller-runtime looks for tls.crt and tls.key.
    expect(c.volumeMounts).toEqual([
      { name: 'cert', mountPath: '/tmp/k8s-webhook-server/serving-certs', readOnly: true },
    ]);
    expect(spec.template.spec.volumes).toEqual([
      { name: 'cert', secret: { secretName: 'aws-load-balancer-tls', defaultMode: 420 } },
    ]);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } });
  });

  it('gets its cluster, region and VPC from its arguments, never from IMDS, and turns off what its role does not allow', () => {
    const args = flags(container().args);
    expect(Object.fromEntries(args)).toEqual({
      '--cluster-name': ['prod-blue'],
      '--ingress-class': ['alb'],
      '--aws-region': ['ca-central-1'],
      // The Name tag the network stack gives the VPC.
      '--aws-vpc-tags': ['Name=prod-vpc'],
      '--enable-shield': ['false'],
      '--enable-waf': ['false'],
      '--enable-wafv2': ['false'],
      '--feature-gates': ['ALBGatewayAPI=false,NLBGatewayAPI=false'],
    });
    expect(
      flags(
        get('Deployment', COMPONENT, 'kube-system', 'prod-green').spec.template.spec.containers[0].args,
      ).get('--cluster-name'),
    ).toEqual(['prod-green']);
  });

  it('carries upstream RBAC verbatim: the ClusterRole, the leader-election Role, and the IRSA ServiceAccount', () => {
    const role = get('ClusterRole', 'aws-load-balancer-controller-role');
    expect(role.rules).toEqual(LOAD_BALANCER_CONTROLLER_RULES);
    // Spot checks against upstream templates/rbac.yaml at v3.5.0.
    expect(role.rules).toContainEqual({
      apiGroups: ['elbv2.k8s.aws'],
      resources: ['targetgroupbindings'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    });
    expect(role.rules).toContainEqual({
      apiGroups: [''],
      resources: ['pods/status', 'services/status'],
      verbs: ['patch', 'update'],
    });
    expect(JSON.stringify(role.rules)).not.toContain('secrets');
    expect(role.rules).toHaveLength(23);
    expect(get('ClusterRoleBinding', 'aws-load-balancer-controller-rolebinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'aws-load-balancer-controller', namespace: 'kube-system' },
    ]);
    const leader = get('Role', 'aws-load-balancer-controller-leader-election-role', 'kube-system');
    expect(leader.rules).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['aws-load-balancer-controller-leader'],
      verbs: ['get', 'update', 'patch'],
    });
    expect(get('ServiceAccount', COMPONENT, 'kube-system').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/prod-blue-load-balancer-controller',
      [SYNC_WAVE_ANNOTATION]: '-2',
    });
  });

  it('renders the four CRDs of upstream crds/crds.yaml verbatim (sha256 pinned), before everything else', () => {
    const hash = createHash('sha256').update(AWS_LOAD_BALANCER_CONTROLLER_CRDS_YAML).digest('hex');
    expect(hash).toBe('cb00e9a8ee22cc51307bbed799faff306ab4d23a9fd201d26fcd53ab035777d9');
    const crds = objectsOf(rendering, 'prod-blue', COMPONENT).filter(
      (o) => o.object.kind === 'CustomResourceDefinition',
    );
    expect(crds.map((o) => (o.object as Record<string, any>).metadata?.name).sort()).toEqual([
      'albtargetcontrolconfigs.elbv2.k8s.aws',
      'globalaccelerators.aga.k8s.aws',
      'ingressclassparams.elbv2.k8s.aws',
      'targetgroupbindings.elbv2.k8s.aws',
    ]);
    const tgb = get('CustomResourceDefinition', 'targetgroupbindings.elbv2.k8s.aws') as Record<string, any>;
    expect(tgb.spec.group).toBe('elbv2.k8s.aws');
    expect(tgb.spec.versions.map((v: Record<string, any>) => v.name)).toEqual(['v1alpha1', 'v1beta1']);
    for (const crd of crds) expect(wave(crd.object as Record<string, any>)).toBe('-2');
  });

  it('never blocks pods or Services cluster-wide while it is down: no Service mutator, pod webhooks opt-in only, Ingress validation fails open', () => {
    const mutating = get('MutatingWebhookConfiguration', 'aws-load-balancer-webhook');
    const names = mutating.webhooks.map((w: Record<string, any>) => w.name);
    expect(names).toEqual([
      'mpod.elbv2.k8s.aws',
      'quicid.elbv2.k8s.aws',
      'alb-target-control.namespace.elbv2.k8s.aws',
      'alb-target-control.object.elbv2.k8s.aws',
      'mtargetgroupbinding.elbv2.k8s.aws',
    ]);
    expect(names).not.toContain('mservice.elbv2.k8s.aws');
    for (const webhook of mutating.webhooks as Record<string, any>[]) {
      const podRule = webhook.rules.some((r: Record<string, any>) => r.resources.includes('pods'));
      if (!podRule) continue;
      // Pod webhooks fail closed only where a namespace or pod opted in by label.
      const selectors = [
        ...(webhook.namespaceSelector?.matchExpressions ?? []),
        ...(webhook.objectSelector?.matchExpressions ?? []),
      ].filter((e: Record<string, any>) => e.key.startsWith('elbv2.k8s.aws/'));
      expect(
        selectors.some((e: Record<string, any>) => e.operator === 'In'),
        webhook.name,
      ).toBe(true);
    }
    expect(mutating.webhooks[0]).toMatchObject({
      failurePolicy: 'Ignore',
      clientConfig: {
        service: {
          name: 'aws-load-balancer-webhook-service',
          namespace: 'kube-system',
          path: '/mutate-v1-pod',
        },
      },
    });
    const validating = get('ValidatingWebhookConfiguration', 'aws-load-balancer-webhook');
    const ingress = validating.webhooks.find((w: Record<string, any>) => w.name === 'vingress.elbv2.k8s.aws');
    expect(ingress).toMatchObject({ failurePolicy: 'Ignore', matchPolicy: 'Equivalent' });
    expect(ingress.clientConfig.service.path).toBe('/validate-networking-v1-ingress');
    // No CA in dist/: the certgen patch job writes it in the cluster.
    for (const webhook of [...mutating.webhooks, ...validating.webhooks]) {
      expect(webhook.clientConfig.caBundle).toBeUndefined();
    }
    expect(wave(mutating)).toBe('1');
    expect(wave(validating)).toBe('1');
    expect(get('Service', 'aws-load-balancer-webhook-service', 'kube-system').spec.ports).toEqual([
      { name: 'webhook-server', port: 443, targetPort: 'webhook-server' },
    ]);
  });

  it('makes the webhook certificate once in the cluster with kube-webhook-certgen hooks, so each render is identical', () => {
    const create = get('Job', 'aws-load-balancer-webhook-certgen-create', 'kube-system');
    const patch = get('Job', 'aws-load-balancer-webhook-certgen-patch', 'kube-system');
    for (const job of [create, patch]) {
      expect(job.metadata.annotations).toMatchObject({
        'argocd.argoproj.io/hook': 'Sync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
      });
      const pod = job.spec.template.spec;
      expect(pod.containers[0].image).toBe(
        'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9@sha256:01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd',
      );
      expect(pod.serviceAccountName).toBe('aws-load-balancer-webhook-certgen');
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    }
    expect(create.spec.template.spec.containers[0].args).toEqual([
      'create',
      '--host=aws-load-balancer-webhook-service,aws-load-balancer-webhook-service.kube-system.svc',
      '--namespace=kube-system',
      '--secret-name=aws-load-balancer-tls',
      '--cert-name=tls.crt',
      '--key-name=tls.key',
    ]);
    expect(patch.spec.template.spec.containers[0].args).toEqual([
      'patch',
      '--webhook-name=aws-load-balancer-webhook',
      '--namespace=kube-system',
      '--patch-mutating=true',
      '--patch-validating=true',
      '--secret-name=aws-load-balancer-tls',
    ]);
    // RBAC, then the Secret, then the controller that mounts it, then the webhooks, then their CA.
    expect([
      wave(get('Role', 'aws-load-balancer-webhook-certgen', 'kube-system')),
      wave(create),
      wave(deployment()),
      wave(get('ValidatingWebhookConfiguration', 'aws-load-balancer-webhook')),
      wave(patch),
    ]).toEqual(['-2', '-1', '0', '1', '2']);
    // Only its own Secret and webhook configurations.
    expect(get('Role', 'aws-load-balancer-webhook-certgen', 'kube-system').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['aws-load-balancer-tls'], verbs: ['get'] },
    ]);
    expect(get('ClusterRole', 'aws-load-balancer-webhook-certgen').rules).toEqual([
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
        resourceNames: ['aws-load-balancer-webhook'],
        verbs: ['get', 'update'],
      },
    ]);
    // Identical renders: no key material anywhere in dist/.
    expect(objectsOf(rendering, 'prod-blue', COMPONENT).filter((o) => o.object.kind === 'Secret')).toEqual(
      [],
    );
    const rendered = objectsOf(rendering, 'prod-blue', COMPONENT).filter(
      (o) => o.object.kind !== 'CustomResourceDefinition',
    );
    expect(JSON.stringify(rendered)).not.toMatch(/BEGIN|caBundle/);
  });

  it("has its Application ignore and keep the webhooks' caBundle, and no other Application", () => {
    const application = get('Application', COMPONENT, 'argocd');
    expect(application.spec.ignoreDifferences).toEqual(
      ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'].map((kind) => ({
        group: 'admissionregistration.k8s.io',
        kind,
        name: 'aws-load-balancer-webhook',
        jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
      })),
    );
    expect(application.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    const others = objectsOf(rendering, 'prod-blue', 'argocd').filter(
      (o) =>
        o.object.kind === 'Application' && (o.object as Record<string, any>).metadata?.name !== COMPONENT,
    );
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) {
      const spec = (other.object as Record<string, any>).spec;
      expect(spec.ignoreDifferences).toBeUndefined();
      expect(spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
    }
    expect(get('IngressClass', 'alb').spec).toEqual({ controller: 'ingress.k8s.aws/alb' });
  });

  it('passes every check rule, the Kubernetes schemas of its kinds and of the ALB Ingresses included', () => {
    // The whole render: the add-on's objects, the app served through ALBs (its Ingresses,
    // Services, policies), and the stacks, whose roles the identity cross-check follows to their users.
    expect(
      rendering.objects.filter((o) => o.cluster === 'dev-blue' && o.object.kind === 'Ingress'),
    ).toHaveLength(2);
    const findings = ALL_RULES.flatMap((rule) =>
      rule.check({ rendering, configs: [prod, off, alb] }).map((f) => `${rule.id}: ${f.file}: ${f.message}`),
    );
    expect(findings).toEqual([]);
  });
});

describe('app load balancers with the AWS Load Balancer Controller', () => {
  const service = (name: string, env = 'prod') =>
    findObject(rendering, `${env}-blue`, 'Service', name, 'web') as Record<string, any>;

  it('gives published Services the controller annotations: external, IP targets, the zone scheme, no client IP', () => {
    expect(service('web-private-nlb-ip').metadata.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes':
        'preserve_client_ip.enabled=false',
      PrivateDNSName: 'web',
    });
    expect(service('web-public-nlb-ip').metadata.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      PublicDNSName: 'www',
    });
    expect(
      service('web-private-nlb-ip').metadata.annotations[
        'service.beta.kubernetes.io/aws-load-balancer-internal'
      ],
    ).toBe(undefined);
    // No loadBalancerClass: it is immutable, the annotation alone moves a Service between controllers.
    expect(service('web-private-nlb-ip').spec.loadBalancerClass).toBeUndefined();
    expect(service('web-private-nlb-ip').spec.type).toBe('LoadBalancer');
    // Named apart from the cloud provider's Services: switching replaces the Service (its
    // controller deletes its NLB) instead of re-annotating it, which upstream forbids (leaks).
    const names = objectsOf(rendering, 'prod-blue', 'apps-web')
      .filter((o) => o.object.kind === 'Service')
      .map((o) => (o.object as Record<string, any>).metadata.name)
      .sort();
    expect(names).toEqual(['web', 'web-private-nlb-ip', 'web-public-nlb-ip']);
  });

  it("keeps the cloud provider's NLB annotations when the controller is off", () => {
    const annotations = findObject(rendering, 'stage-green', 'Service', 'api-private', 'api')?.metadata
      .annotations;
    expect(annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
    });
    expect(annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type']).toBeUndefined();
    expect(
      findObject(rendering, 'stage-green', 'Namespace', 'api').metadata.labels[
        'elbv2.k8s.aws/pod-readiness-gate-inject'
      ],
    ).toBeUndefined();
  });

  it('labels app namespaces for the pod readiness gate, and still admits the load balancers from the VPC range', () => {
    expect(
      findObject(rendering, 'prod-blue', 'Namespace', 'web').metadata.labels[
        'elbv2.k8s.aws/pod-readiness-gate-inject'
      ],
    ).toBe('enabled');
    const policy = findObject(rendering, 'prod-blue', 'NetworkPolicy', 'allow-load-balancer', 'web');
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ ipBlock: { cidr: prod.network.cidr } }],
        ports: [{ protocol: 'TCP', port: prod.apps[0]?.port }],
      },
    ]);
  });

  it('serves an app with loadBalancer alb through an Ingress of class alb per name, in front of its ClusterIP Service', () => {
    const at = (name: string) =>
      findObject(rendering, 'dev-blue', 'Ingress', name, 'web') as Record<string, any>;
    expect(at('web-private').metadata.annotations).toEqual({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}]',
      'alb.ingress.kubernetes.io/healthcheck-path': alb.apps[0]?.healthPath,
      PrivateDNSName: 'web',
      [SYNC_WAVE_ANNOTATION]: '0',
    });
    expect(at('web-public').metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      PublicDNSName: 'www',
    });
    expect(at('web-private').spec).toEqual({
      ingressClassName: 'alb',
      defaultBackend: { service: { name: 'web', port: { number: 80 } } },
    });
    // No NLB for those names; the ClusterIP Service stays.
    const services = objectsOf(rendering, 'dev-blue', 'apps-web').filter((o) => o.object.kind === 'Service');
    expect(services.map((o) => (o.object as Record<string, any>).metadata?.name)).toEqual(['web']);
    expect(findObject(rendering, 'dev-blue', 'Service', 'web', 'web').spec.type).toBe('ClusterIP');
  });

  /** The problems a fixture edit makes the loader report (file, field, message). */
  const problems = (edit: (raw: Record<string, any>) => void) => {
    try {
      fixtureConfig('prod', edit);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('the config loaded');
  };

  it('rejects loadBalancer alb while the controller is off, naming the file, the field, the value and what is allowed', () => {
    const found = problems((raw) => {
      raw.apps[0].loadBalancer = 'alb';
    });
    expect(found).toEqual([
      {
        file: expect.stringMatching(/\/prod\.yaml$/),
        path: 'apps[0].loadBalancer',
        message:
          'must be nlb while addons.loadBalancerController.enabled is false: an ALB Ingress (class alb) is served by the AWS Load Balancer Controller only, got alb',
      },
    ]);
  });

  it('rejects loadBalancer alb on an app that publishes no name', () => {
    const found = problems((raw) => {
      on(raw);
      raw.apps[0].loadBalancer = 'alb';
      raw.apps[0].dns = {};
    });
    expect(found).toEqual([
      {
        file: expect.stringMatching(/\/prod\.yaml$/),
        path: 'apps[0].loadBalancer',
        message:
          'must be nlb (the default) when dns publishes no name: a load balancer serves the names of dns, got alb',
      },
    ]);
  });

  it('rejects a loadBalancer other than nlb or alb', () => {
    const found = problems((raw) => {
      raw.apps[0].loadBalancer = 'clb';
    });
    expect(found.map((p) => p.path)).toEqual(['apps[0].loadBalancer']);
    expect(found[0]?.message).toMatch(/nlb.*alb/);
  });
});
