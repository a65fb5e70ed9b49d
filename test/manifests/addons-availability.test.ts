import { describe, expect, it } from 'vitest';
import type { RenderedObject } from '../../cli/render';
import { addonAvailabilityRule } from '../../cli/rules/addon-availability';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { selectorMatches as selects } from '../../cli/rules/label-selectors';
import { formatViolation } from '../../cli/rules/violation';
import { METRICS_SERVER_REPLICAS } from '../../manifests/charts/metrics-server-chart';
import { POLICY_EXCEPTION_PREFIX, SAFE_TO_EVICT_ANNOTATION } from '../../platform/names';
import { violationsOf } from '../cli/rule-violations';
import { findObject, fixtureConfig } from '../helpers';
import { addonObjects, render } from './addons-helpers';

const prod = fixtureConfig('prod');
const dev = fixtureConfig('dev');
const rendering = render(prod, dev);
const templateAnnotations = (o: Record<string, any>) => o.spec.template.metadata.annotations ?? {};
const budget = (cluster: string, name: string) =>
  findObject(rendering, cluster, 'PodDisruptionBudget', name, 'kube-system');

/** A deep copy of the rendered objects, so a test can break one without touching the others. */
function copyOf(objects: readonly RenderedObject[]): RenderedObject[] {
  return objects.map((o) => ({ ...o, object: structuredClone(o.object) }));
}
function named(objects: readonly RenderedObject[], cluster: string, kind: string, name: string) {
  const found = objects.find(
    (o) => o.cluster === cluster && o.object.kind === kind && (o.object.metadata as any).name === name,
  );
  if (found === undefined) throw new Error(`${cluster} ${kind} ${name} not rendered`);
  return found.object as Record<string, any>;
}

describe('add-on disruptions', () => {
  it('keeps cluster-autoscaler’s node out of scale-down without a budget that could stall a drain', () => {
    for (const cluster of ['prod-blue', 'prod-green', 'dev-blue']) {
      const deployment = findObject(rendering, cluster, 'Deployment', 'cluster-autoscaler', 'kube-system');
      expect(templateAnnotations(deployment)[SAFE_TO_EVICT_ANNOTATION], cluster).toBe('false');
      const budgets = rendering.objects.filter(
        (o) =>
          o.cluster === cluster &&
          o.object.kind === 'PodDisruptionBudget' &&
          (o.object.metadata as any).name === 'cluster-autoscaler',
      );
      expect(budgets, cluster).toEqual([]);
    }
  });

  it('gives every external-dns instance a budget of one disruption selecting exactly its pods', () => {
    for (const name of [
      'external-dns-private',
      'external-dns-public',
      'live-external-dns-private',
      'live-external-dns-public',
    ]) {
      const deployment = findObject(rendering, 'prod-blue', 'Deployment', name, 'kube-system');
      expect(budget('prod-blue', name).spec, name).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: deployment.spec.selector.matchLabels },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
      expect(deployment.spec.selector.matchLabels['app.kubernetes.io/instance'], name).toBe(name);
    }
  });

  it('runs two metrics-server replicas, preferably on two nodes, of which a drain takes one at a time', () => {
    for (const cluster of ['prod-blue', 'dev-blue']) {
      const deployment = findObject(rendering, cluster, 'Deployment', 'metrics-server', 'kube-system');
      expect(deployment.spec.replicas, cluster).toBe(METRICS_SERVER_REPLICAS);
      expect(METRICS_SERVER_REPLICAS).toBe(2);
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      const labels = deployment.spec.selector.matchLabels;
      expect(deployment.spec.template.spec.affinity.podAntiAffinity, cluster).toEqual({
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: labels },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      });
      // The essential-node preference stays next to the anti-affinity.
      expect(deployment.spec.template.spec.affinity.nodeAffinity).toBeDefined();
      expect(budget(cluster, 'metrics-server').spec, cluster).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: labels },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
    }
  });

  it('marks the overprovisioning placeholders and their autoscaler as safe to evict', () => {
    for (const name of ['overprovisioning', 'overprovisioning-autoscaler']) {
      const deployment = findObject(rendering, 'prod-blue', 'Deployment', name, 'overprovisioning');
      expect(templateAnnotations(deployment)[SAFE_TO_EVICT_ANNOTATION], name).toBe('true');
    }
  });
});

describe('rule addon-availability', () => {
  it('passes every add-on of the fixture environments', () => {
    expect(violationsOf(addonAvailabilityRule, { objects: rendering.objects })).toEqual([]);
    expect(
      runRules(ALL_RULES, { rendering: rendering, configs: [prod, dev] }).filter(
        (v) => v.rule === 'addon-availability',
      ),
    ).toEqual([]);
  });

  it('fails a kube-system Deployment with neither a budget nor the annotation, naming the file and field', () => {
    const objects = copyOf(addonObjects(rendering)).filter(
      (o) =>
        !(
          o.cluster === 'prod-blue' &&
          o.object.kind === 'PodDisruptionBudget' &&
          (o.object.metadata as any).name === 'metrics-server'
        ),
    );
    expect(violationsOf(addonAvailabilityRule, { objects: objects }).map(formatViolation)).toEqual([
      '[addon-availability] dist/prod-blue/metrics-server/deployment.apps_kube-system_metrics-server.yaml: spec.template.metadata.annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"]: Deployment kube-system/metrics-server has neither a PodDisruptionBudget selecting its pods nor this annotation: cluster-autoscaler and node drains would evict it unannounced (add a budget allowing one disruption, or safe-to-evict "false" to keep its node)',
    ]);
  });

  it('fails an add-on whose annotation was removed, and one whose annotation is neither true nor false', () => {
    const objects = copyOf(addonObjects(rendering));
    delete named(objects, 'prod-green', 'Deployment', 'cluster-autoscaler').spec.template.metadata
      .annotations[SAFE_TO_EVICT_ANNOTATION];
    named(objects, 'prod-green', 'Deployment', 'overprovisioning').spec.template.metadata.annotations[
      SAFE_TO_EVICT_ANNOTATION
    ] = 'yes';
    const messages = violationsOf(addonAvailabilityRule, { objects: objects }).map(
      (v) => `${v.file}: ${v.message}`,
    );
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(
      /^prod-green\/cluster-autoscaler\/deployment\.apps_kube-system_cluster-autoscaler\.yaml: .*Deployment kube-system\/cluster-autoscaler has neither/,
    );
    expect(messages[1]).toMatch(
      /overprovisioning.*: spec\.template\.metadata\.annotations\[.*\]: must be "true" or "false", got "yes"$/,
    );
  });

  it('fails a budget that allows no eviction, which would stall every node drain', () => {
    const objects = copyOf(addonObjects(rendering));
    named(objects, 'prod-blue', 'PodDisruptionBudget', 'external-dns-private').spec.maxUnavailable = 0;
    const metrics = named(objects, 'prod-blue', 'PodDisruptionBudget', 'metrics-server');
    delete metrics.spec.maxUnavailable;
    metrics.spec.minAvailable = 2;
    expect(violationsOf(addonAvailabilityRule, { objects: objects }).map((v) => v.message)).toEqual([
      'spec.selector: Deployment kube-system/external-dns-private is selected by PodDisruptionBudget kube-system/external-dns-private with maxUnavailable 0, which allows no eviction: every node drain stalls on it and an EKS node group update fails with PodEvictionFailure after 15 minutes',
      'spec.selector: Deployment kube-system/metrics-server is selected by PodDisruptionBudget kube-system/metrics-server with minAvailable 2 with 2 replicas, which allows no eviction: every node drain stalls on it and an EKS node group update fails with PodEvictionFailure after 15 minutes',
    ]);
  });

  it('asks no budget of a kube-system DaemonSet, but fails one whose budget allows no eviction', () => {
    const agent = {
      environment: 'prod',
      cluster: 'prod-blue',
      component: 'agent',
      path: 'prod-blue/agent/daemonset.apps_kube-system_agent.yaml',
      object: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: 'kube-system' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'agent', image: 'registry.k8s.io/pause:3.10.1' }] },
          },
        },
      },
    };
    const objects = [...copyOf(addonObjects(rendering)), agent];
    expect(violationsOf(addonAvailabilityRule, { objects })).toEqual([]);
    const blocking = {
      ...agent,
      path: 'prod-blue/agent/poddisruptionbudget.policy_kube-system_agent.yaml',
      object: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'agent', namespace: 'kube-system' },
        spec: { selector: { matchLabels: { app: 'agent' } }, maxUnavailable: 0 },
      },
    };
    expect(
      violationsOf(addonAvailabilityRule, { objects: [...objects, blocking] }).map((v) => v.message),
    ).toEqual([
      'spec.selector: DaemonSet kube-system/agent is selected by PodDisruptionBudget kube-system/agent with maxUnavailable 0, which allows no eviction: cluster-autoscaler evicts DaemonSet pods from the nodes it removes and stalls on it (a DaemonSet needs no budget: drains leave its pods)',
    ]);
  });

  it('reports the exception annotation instead of failing', () => {
    const objects = copyOf(addonObjects(rendering)).filter(
      (o) => !(o.cluster === 'dev-blue' && o.object.kind === 'PodDisruptionBudget'),
    );
    for (const name of [
      'external-dns-private',
      'external-dns-public',
      'live-external-dns-private',
      'live-external-dns-public',
    ]) {
      named(objects, 'dev-blue', 'Deployment', name).metadata.annotations[
        `${POLICY_EXCEPTION_PREFIX}addon-availability`
      ] = 'dev: records may wait for the next sync';
    }
    const violations = violationsOf(addonAvailabilityRule, { objects: objects });
    const unexcused = violations.filter((v) => v.exception === undefined).map((v) => v.message);
    expect(unexcused).toEqual([expect.stringContaining('Deployment kube-system/metrics-server has neither')]);
    expect(violations.filter((v) => v.exception !== undefined)).toHaveLength(4);
    expect(violations.every((v) => v.exception === undefined || v.exception.startsWith('dev:'))).toBe(true);
  });

  it('matches budget selectors with matchLabels and matchExpressions as Kubernetes does', () => {
    const labels = { 'app.kubernetes.io/name': 'x', tier: 'a' };
    expect(selects({ matchLabels: { 'app.kubernetes.io/name': 'x' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { 'app.kubernetes.io/name': 'y' } }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, labels)).toBe(
      true,
    );
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, labels)).toBe(
      false,
    );
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selects({}, labels)).toBe(true);
  });
});
