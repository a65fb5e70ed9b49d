import { describe, expect, it } from 'vitest';
import type { RenderedObject } from '../../cli/render';
import { containerResourcesRule, imagePinnedRule, runAsNonRootRule } from '../../cli/rules/container-policy';
import { kubernetesSchemaRule } from '../../cli/rules/kubernetes-schema';
import { namespaceExistsRule, objectScopeRule } from '../../cli/rules/object-scope';
import { formatViolation } from '../../cli/rules/violation';
import { POLICY_EXCEPTION_PREFIX } from '../../platform/names';
import { violationsOf } from './rule-violations';

function rendered(object: Record<string, any>, cluster = 'prod-blue'): RenderedObject {
  const name = object.metadata?.name ?? 'x';
  return {
    environment: 'prod',
    cluster,
    component: 'test',
    path: `${cluster}/test/${object.kind}_${name}.yaml`,
    object,
  };
}

const namespace = (name: string) => rendered({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

function deployment(
  container: Record<string, any>,
  extra: { annotations?: Record<string, string>; pod?: Record<string, any> } = {},
) {
  return rendered({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'web', annotations: extra.annotations ?? {} },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001 },
          containers: [{ name: 'web', ...container }],
          ...extra.pod,
        },
      },
    },
  });
}

const good = {
  image: 'web:1.2.3',
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
};

describe('rule k8s-schema', () => {
  it('fails an object that breaks its Kubernetes schema, naming the field', () => {
    const broken = deployment(good);
    (broken.object as any).spec.replicas = 'three';
    expect(violationsOf(kubernetesSchemaRule, { objects: [broken] }).map(formatViolation)).toEqual([
      '[k8s-schema] dist/prod-blue/test/Deployment_web.yaml: data/spec/replicas must be integer',
    ]);
  });

  it('fails a kind whose schema is unknown', () => {
    const unknown = rendered({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'web' },
    });
    expect(violationsOf(kubernetesSchemaRule, { objects: [unknown] })[0]?.message).toBe(
      'no schema known for example.com/v1 Widget',
    );
  });

  it('passes a valid object', () => {
    expect(violationsOf(kubernetesSchemaRule, { objects: [deployment(good), namespace('web')] })).toEqual([]);
  });

  it('reads an undefined field as absent, as the written YAML does, and still fails a wrong one beside it', () => {
    const withUndefined = deployment({ ...good, command: undefined });
    (withUndefined.object as any).spec.paused = undefined;
    expect(violationsOf(kubernetesSchemaRule, { objects: [withUndefined] })).toEqual([]);
    (withUndefined.object as any).spec.replicas = 'three';
    expect(violationsOf(kubernetesSchemaRule, { objects: [withUndefined] }).map((v) => v.message)).toEqual([
      'data/spec/replicas must be integer',
    ]);
  });
});

describe('rules object-scope and namespace-exists', () => {
  it('fails a cluster-scoped object that carries a namespace', () => {
    const pc = rendered({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'p', namespace: 'web' },
      value: -1,
    });
    expect(
      violationsOf([objectScopeRule, namespaceExistsRule], { objects: [pc] }).map(
        (v) => `${v.rule}: ${v.message}`,
      ),
    ).toEqual(['object-scope: PriorityClass is cluster-scoped but has metadata.namespace web']);
  });

  it('fails a namespaced object without a namespace', () => {
    const cm = rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect(violationsOf([objectScopeRule, namespaceExistsRule], { objects: [cm] })[0]?.message).toBe(
      'ConfigMap is namespaced but has no metadata.namespace',
    );
  });

  it('fails an object in a namespace that no cluster object creates', () => {
    const violations = violationsOf([objectScopeRule, namespaceExistsRule], {
      objects: [
        deployment(good),
        namespace('web'),
        rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'payments' } }),
      ],
    });
    expect(violations.map((v) => `${v.rule}: ${v.message}`)).toEqual([
      'namespace-exists: namespace payments is neither created on prod-blue nor one of default, kube-system, kube-public, kube-node-lease, argocd',
    ]);
  });

  it('does not count a namespace created on another cluster', () => {
    const violations = violationsOf([objectScopeRule, namespaceExistsRule], {
      objects: [deployment(good), namespace('web'), { ...namespace('x'), cluster: 'prod-green' }],
    });
    expect(violations).toEqual([]);
    const onGreen = { ...deployment(good), cluster: 'prod-green' };
    expect(
      violationsOf([objectScopeRule, namespaceExistsRule], { objects: [onGreen, namespace('web')] })[0]?.rule,
    ).toBe('namespace-exists');
  });
});

describe('rules image-pinned, container-resources and run-as-non-root', () => {
  it('passes a pinned, sized, non-root container', () => {
    expect(
      violationsOf([imagePinnedRule, containerResourcesRule, runAsNonRootRule], {
        objects: [deployment(good)],
      }),
    ).toEqual([]);
  });

  it('fails an image on latest or without a tag', () => {
    const messages = violationsOf([imagePinnedRule, containerResourcesRule, runAsNonRootRule], {
      objects: [deployment({ ...good, image: 'web:latest' }), deployment({ ...good, image: 'web' })],
    }).map((v) => v.message);
    expect(messages).toEqual([
      'spec.template.spec.containers[0] (web): image "web:latest" must not use the tag latest: pin a version or a digest',
      'spec.template.spec.containers[0] (web): image "web" must be pinned to a tag (image:1.2.3) or a digest (image@sha256:…)',
    ]);
  });

  it('fails a container without a memory limit or requests', () => {
    const v = violationsOf([imagePinnedRule, containerResourcesRule, runAsNonRootRule], {
      objects: [deployment({ ...good, resources: { requests: { cpu: '1' } } })],
    });
    expect(v.map((x) => `${x.rule}: ${x.message}`)).toEqual([
      'container-resources: spec.template.spec.containers[0] (web): missing resources.requests.memory, resources.limits.memory',
    ]);
  });

  it('fails a pod that may run as root', () => {
    const v = violationsOf([imagePinnedRule, containerResourcesRule, runAsNonRootRule], {
      objects: [deployment(good, { pod: { securityContext: {} } })],
    });
    expect(v.map((x) => x.rule)).toEqual(['run-as-non-root']);
    const uid0 = violationsOf([imagePinnedRule, containerResourcesRule, runAsNonRootRule], {
      objects: [deployment({ ...good, securityContext: { runAsUser: 0 } })],
    });
    expect(uid0.map((x) => x.rule)).toEqual(['run-as-non-root']);
  });

  it('reports an exception written on the object with its reason instead of failing', () => {
    const v = violationsOf([imagePinnedRule, containerResourcesRule, runAsNonRootRule], {
      objects: [
        deployment(good, {
          pod: { securityContext: {} },
          annotations: {
            [`${POLICY_EXCEPTION_PREFIX}run-as-non-root`]: 'upstream image needs root to bind :53',
          },
        }),
      ],
    });
    expect(v).toHaveLength(1);
    expect(v[0]?.exception).toBe('upstream image needs root to bind :53');
    expect(formatViolation(v[0]!)).toContain('(exception: upstream image needs root to bind :53)');
  });

  it('checks CronJob pod templates too', () => {
    const cron = rendered({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'web' },
      spec: {
        schedule: '* * * * *',
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'c:1' }] } } } },
      },
    });
    expect(
      violationsOf([imagePinnedRule, containerResourcesRule, runAsNonRootRule], { objects: [cron] }).map(
        (v) => v.rule,
      ),
    ).toEqual(['container-resources', 'run-as-non-root']);
  });
});
