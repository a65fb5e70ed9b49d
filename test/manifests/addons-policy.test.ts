import { describe, expect, it } from 'vitest';
import { kubernetesSchemaRule } from '../../cli/rules/kubernetes-schema';
import { SYNC_WAVE_ANNOTATION, SYNC_WAVES, syncWaveOf } from '../../manifests/sync-waves';
import {
  CLUSTER_AUTOSCALER_IMAGES,
  CLUSTER_PROPORTIONAL_AUTOSCALER_IMAGE,
  EXTERNAL_DNS_IMAGE,
  METRICS_SERVER_IMAGES,
  PAUSE_IMAGE,
} from '../../platform/images';
import { ADDON_COMPONENTS } from '../../platform/names';
import { violationsOf } from '../cli/rule-violations';
import { fixtureConfig } from '../helpers';
import { addonObjects, podTemplates, render } from './addons-helpers';

const renderings = {
  prod: render(fixtureConfig('prod')),
  dev: render(fixtureConfig('dev')),
  'prod in CONFIG_MAP mode': render(fixtureConfig('prod', (raw) => (raw.authenticationMode = 'CONFIG_MAP'))),
};
const CLUSTER_SCOPED = [
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'APIService',
  'StorageClass',
];
const CATALOG = new Set([
  ...Object.values(CLUSTER_AUTOSCALER_IMAGES),
  ...Object.values(METRICS_SERVER_IMAGES),
  EXTERNAL_DNS_IMAGE,
  PAUSE_IMAGE,
  CLUSTER_PROPORTIONAL_AUTOSCALER_IMAGE,
]);

describe.each(Object.entries(renderings))('add-on objects of %s', (_, rendering) => {
  const objects = addonObjects(rendering);

  it('render every enabled add-on component', () => {
    const components = new Set(objects.map((o) => o.component));
    expect(components.has(ADDON_COMPONENTS.rbac)).toBe(true);
    expect(components.has(ADDON_COMPONENTS.externalDns)).toBe(true);
    expect(objects.length).toBeGreaterThan(20);
  });

  it('pass the Kubernetes schema rule with zero violations', () => {
    expect(violationsOf(kubernetesSchemaRule, { objects: objects })).toEqual([]);
  });

  it('put a namespace on namespaced objects only', () => {
    for (const { object, path } of objects) {
      const namespace = (object.metadata as { namespace?: string }).namespace;
      if (CLUSTER_SCOPED.includes(object.kind as string)) expect(namespace, path).toBeUndefined();
      else expect(namespace, path).toMatch(/^(kube-system|overprovisioning)$/);
    }
  });

  it('sync namespaces, then RBAC, PriorityClasses and ConfigMaps, before the workloads that use them', () => {
    for (const { object, path } of objects) {
      const wave = Number((object.metadata as any).annotations?.[SYNC_WAVE_ANNOTATION]);
      expect(wave, path).toBe(syncWaveOf(object.kind as string));
      if (object.kind === 'Deployment') expect(wave, path).toBe(SYNC_WAVES.workloads);
      if (object.kind === 'Namespace') expect(wave, path).toBeLessThan(SYNC_WAVES.prerequisites);
      if (/Role|ServiceAccount|PriorityClass|ConfigMap/.test(object.kind as string)) {
        expect(wave, path).toBeLessThan(SYNC_WAVES.workloads);
      }
    }
  });

  it('run every container non-root on a read-only root filesystem with requests, a memory limit and a catalog image', () => {
    for (const { path, spec } of podTemplates(objects)) {
      expect(spec.securityContext.runAsNonRoot, path).toBe(true);
      expect(spec.securityContext.runAsUser, path).toBeGreaterThan(0);
      expect(spec.securityContext.seccompProfile, path).toEqual({ type: 'RuntimeDefault' });
      for (const container of spec.containers) {
        expect(CATALOG.has(container.image), `${path} ${container.image}`).toBe(true);
        expect(container.securityContext, path).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources.requests, path).toEqual({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(container.resources.limits.memory, path).toEqual(expect.any(String));
      }
    }
  });

  it('select pods by explicit app.kubernetes.io labels only', () => {
    for (const { object, path } of objects.filter((o) => o.object.kind === 'Deployment')) {
      const spec = (object as any).spec;
      expect(Object.keys(spec.selector.matchLabels), path).toContain('app.kubernetes.io/name');
      expect(spec.template.metadata.labels, path).toMatchObject(spec.selector.matchLabels);
      expect(JSON.stringify(object), path).not.toContain('cdk8s.io/metadata.addr');
    }
  });
});

describe('sync waves', () => {
  it('order namespaces, prerequisites, workloads, then API registrations', () => {
    expect(syncWaveOf('Namespace')).toBeLessThan(syncWaveOf('ServiceAccount'));
    for (const kind of ['ClusterRole', 'RoleBinding', 'PriorityClass', 'ConfigMap']) {
      expect(syncWaveOf(kind), kind).toBe(syncWaveOf('ServiceAccount'));
    }
    expect(syncWaveOf('ServiceAccount')).toBeLessThan(syncWaveOf('Deployment'));
    expect(syncWaveOf('Deployment')).toBe(syncWaveOf('HorizontalPodAutoscaler'));
    expect(syncWaveOf('Deployment')).toBeLessThan(syncWaveOf('APIService'));
  });
});
