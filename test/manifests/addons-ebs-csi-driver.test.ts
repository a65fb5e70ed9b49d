import { describe, expect, it } from 'vitest';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { DEFAULT_CLASS_ANNOTATION } from '../../manifests/charts/storage-class-chart';
import { ADDON_COMPONENTS, ebsVolumeKeyAlias } from '../../platform/names';
import { findObject, fixtureConfig, objectsOf, resourcesOf, stackOf } from '../helpers';
import { render } from './addons-helpers';

describe('EBS CSI driver (manifests): the default StorageClass', () => {
  const prod = fixtureConfig('prod');
  const stage = fixtureConfig('stage', (raw) => {
    raw.addons.ebsCsiDriver = { reclaimPolicy: 'Retain' };
  });
  const devOff = fixtureConfig('dev', (raw) => {
    raw.addons.ebsCsiDriver = { enabled: false };
  });
  const configs = [prod, stage, devOff];
  const rendering = render(...configs);

  it('renders gp3 as the default class: ebs.csi.aws.com, encrypted, WaitForFirstConsumer, expandable, Delete', () => {
    const gp3 = findObject(rendering, 'prod-blue', 'StorageClass', 'gp3');
    expect(gp3.apiVersion).toBe('storage.k8s.io/v1');
    expect(gp3.metadata.annotations[DEFAULT_CLASS_ANNOTATION]).toBe('true');
    expect(gp3.metadata.namespace).toBeUndefined();
    expect(gp3).toMatchObject({
      provisioner: 'ebs.csi.aws.com',
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        kmsKeyId: 'arn:aws:kms:ca-central-1:111111111111:alias/eks/prod-blue/ebs',
      },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    });
    // The driver's parameters (docs/parameters.md at v1.64.0) and nothing else.
    expect(Object.keys(gp3.parameters).sort()).toEqual(['encrypted', 'kmsKeyId', 'type']);
  });

  it("names, on each cluster, the key alias that cluster's stack creates", () => {
    for (const config of [prod, stage]) {
      for (const cluster of config.clusters) {
        const name = `${config.name}-${cluster.color}`;
        const gp3 = findObject(rendering, name, 'StorageClass', 'gp3');
        const alias = resourcesOf(stackOf(rendering, name), 'aws_kms_alias')['ebs-volume-key-alias'];
        expect(gp3.parameters.kmsKeyId).toBe(ebsVolumeKeyAlias(config, cluster).arn);
        expect(gp3.parameters.kmsKeyId).toBe(`arn:aws:kms:${config.region}:${config.account}:${alias?.name}`);
      }
    }
  });

  it('makes gp3 the only default class a cluster renders', () => {
    for (const cluster of ['prod-blue', 'prod-green', 'stage-green']) {
      const defaults = objectsOf(rendering, cluster).filter(
        (o) =>
          o.object.kind === 'StorageClass' &&
          (o.object.metadata as { annotations?: Record<string, string> }).annotations?.[
            DEFAULT_CLASS_ANNOTATION
          ] === 'true',
      );
      expect(defaults.map((o) => o.path)).toEqual([
        `${cluster}/ebs-csi-driver/storageclass.storage.k8s.io_gp3.yaml`,
      ]);
    }
  });

  it('takes the reclaim policy from config', () => {
    expect(findObject(rendering, 'stage-green', 'StorageClass', 'gp3').reclaimPolicy).toBe('Retain');
  });

  it('syncs the class as an add-on Application that its AppProject allows', () => {
    const app = findObject(rendering, 'prod-blue', 'Application', ADDON_COMPONENTS.ebsCsiDriver, 'argocd');
    expect(app.spec.source.path).toBe('dist/prod-blue/ebs-csi-driver');
    const project = findObject(rendering, 'prod-blue', 'AppProject', 'prod-blue');
    expect(project.spec.clusterResourceWhitelist).toContainEqual({
      group: 'storage.k8s.io',
      kind: 'StorageClass',
    });
  });

  it('renders no class and no Application when addons.ebsCsiDriver.enabled is false', () => {
    const dev = objectsOf(rendering, 'dev-blue');
    expect(dev.length).toBeGreaterThan(0);
    expect(dev.filter((o) => o.component === ADDON_COMPONENTS.ebsCsiDriver)).toEqual([]);
    expect(dev.filter((o) => o.object.kind === 'StorageClass')).toEqual([]);
    const apps = dev
      .filter((o) => o.object.kind === 'Application')
      .map((o) => o.object.metadata as { name: string });
    expect(apps.map((a) => a.name)).not.toContain(ADDON_COMPONENTS.ebsCsiDriver);
  });

  it('passes every rule of npm run check', () => {
    expect(runRules(ALL_RULES, { rendering, configs })).toEqual([]);
  });
});
