import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { manifestPath, objectIdentity } from '../../cli/dist-path';
import { kubernetesSchemaRule } from '../../cli/rules/kubernetes-schema';
import { AppWorkload } from '../../manifests/constructs/app-workload';
import { SYNC_WAVES } from '../../manifests/sync-waves';
import { addCustomWorkloads } from '../../manifests/workloads/custom-workloads';
import { LedgerReconciliation } from '../../manifests/workloads/ledger-reconciliation';
import type { AppConfig } from '../../platform/schema';
import { violationsOf } from '../cli/rule-violations';
import { findObject, fixtureConfig, objectsOf, renderConfigs } from '../helpers';

const prodConfig = fixtureConfig('prod');
const prod = renderConfigs([prodConfig]);
const dev = renderConfigs([fixtureConfig('dev')]);
const ledger = prodConfig.apps.find((a) => a.name === 'ledger') as AppConfig;
const cronJob = findObject(prod, 'prod-blue', 'CronJob', 'ledger-reconciliation', 'payments');
const jobPod = cronJob.spec.jobTemplate.spec.template;

describe('extension path: the ledger reconciliation CronJob', () => {
  it('is rendered in the ledger component on every cluster the ledger runs on, and nowhere else', () => {
    for (const cluster of ['prod-blue', 'prod-green']) {
      const paths = objectsOf(prod, cluster, 'apps-ledger').map((o) => o.path);
      expect(paths).toContain(`${cluster}/apps-ledger/cronjob.batch_payments_ledger-reconciliation.yaml`);
      expect(paths).toContain(`${cluster}/apps-ledger/serviceaccount_payments_ledger-reconciliation.yaml`);
    }
    // dev defines no ledger app.
    expect(dev.objects.filter((o) => o.object.kind === 'CronJob')).toEqual([]);
  });

  it('runs the ledger image on its own service account, without an API token', () => {
    expect(cronJob.apiVersion).toBe('batch/v1');
    expect(jobPod.spec.containers[0].image).toBe(ledger.image);
    expect(jobPod.spec.serviceAccountName).toBe('ledger-reconciliation');
    expect(jobPod.spec.automountServiceAccountToken).toBe(false);
    const account = findObject(prod, 'prod-blue', 'ServiceAccount', 'ledger-reconciliation', 'payments');
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it('gets the same pod security, resources and placement building blocks as the apps', () => {
    const deployment = findObject(prod, 'prod-blue', 'Deployment', 'ledger', 'payments');
    const appPod = deployment.spec.template.spec;
    expect(jobPod.spec.securityContext).toEqual(appPod.securityContext);
    expect(jobPod.spec.containers[0].securityContext).toEqual(appPod.containers[0].securityContext);
    expect(jobPod.spec.volumes).toEqual(appPod.volumes);
    expect(jobPod.spec.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(jobPod.spec.containers[0].resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { memory: '512Mi' },
    });
    expect(jobPod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'lifecycle', operator: 'In', values: ['essential'] }] },
      ],
    });
    expect(jobPod.spec.restartPolicy).toBe('Never');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
  });

  it('keeps its pods out of the selectors of the ledger deployment, services and budget', () => {
    const podLabels = jobPod.metadata.labels as Record<string, string>;
    expect(podLabels).toMatchObject({ 'app.kubernetes.io/part-of': 'ledger', team: 'payments' });
    const selects = (selector: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => podLabels[key] === value);
    const deployment = findObject(prod, 'prod-blue', 'Deployment', 'ledger', 'payments');
    const pdb = findObject(prod, 'prod-blue', 'PodDisruptionBudget', 'ledger', 'payments');
    expect(selects(deployment.spec.selector.matchLabels)).toBe(false);
    expect(selects(pdb.spec.selector.matchLabels)).toBe(false);
    for (const name of ['ledger', 'ledger-private']) {
      expect(selects(findObject(prod, 'prod-blue', 'Service', name, 'payments').spec.selector)).toBe(false);
    }
  });

  it('syncs after the namespace it runs in and its service account', () => {
    const wave = (o: Record<string, any>) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const account = findObject(prod, 'prod-blue', 'ServiceAccount', 'ledger-reconciliation', 'payments');
    expect(wave(cronJob)).toBe(SYNC_WAVES.workloads);
    expect(wave(account)).toBe(SYNC_WAVES.prerequisites);
    expect(wave(findObject(prod, 'prod-blue', 'Namespace', 'payments'))).toBeLessThan(wave(account));
  });

  it('validates against the Kubernetes schemas', () => {
    expect(
      violationsOf(kubernetesSchemaRule, { objects: objectsOf(prod, 'prod-blue', 'apps-ledger') }),
    ).toEqual([]);
  });

  it('fails with the missing component named when the app charts were not added first', () => {
    const blue = prodConfig.clusters[0];
    if (blue === undefined) throw new Error('prod has no cluster');
    expect(() => addCustomWorkloads(new App(), prodConfig, blue)).toThrow(
      'custom workload of app ledger: no chart apps-ledger on cluster prod-blue',
    );
  });
});

describe('building blocks do not depend on their place in the construct tree', () => {
  /** Renders `build` directly under a chart `apps-ledger`, or nested two constructs deeper. */
  function renderUnder(nested: boolean, build: (scope: Construct) => Construct) {
    const chart = new Chart(new App(), 'apps-ledger', { disableResourceNameHashes: true });
    const scope = nested ? new Construct(new Construct(chart, 'team-payments'), 'batch') : chart;
    const built = build(scope);
    const objects = chart.toJson() as Record<string, any>[];
    return {
      constructPaths: built.node.findAll().map((c) => c.node.path),
      paths: objects.map((o) => manifestPath('prod-blue', chart.node.id, objectIdentity(o))).sort(),
      selectors: objects
        .filter((o) => o.spec?.selector !== undefined)
        .map((o) => [o.kind, o.metadata.name, o.spec.selector]),
      objects,
    };
  }

  const cases: [string, (scope: Construct) => Construct][] = [
    ['an app workload', (scope) => new AppWorkload(scope, 'workload', { app: ledger })],
    ['a custom workload', (scope) => new LedgerReconciliation(scope, 'reconciliation', { app: ledger })],
  ];

  it.each(cases)('moving %s to another parent keeps every name, file path and selector', (_, build) => {
    const direct = renderUnder(false, build);
    const moved = renderUnder(true, build);
    // The move is real: every construct path changed.
    expect(moved.constructPaths.filter((p) => direct.constructPaths.includes(p))).toEqual([]);
    expect(direct.paths.length).toBeGreaterThan(1);
    expect(moved.paths).toEqual(direct.paths);
    expect(moved.selectors).toEqual(direct.selectors);
    expect(moved.objects).toEqual(direct.objects);
  });
});
