import { describe, expect, it } from 'vitest';
import { CUSTOM_WORKLOADS } from '../../manifests/workloads/custom-workloads';
import type { PlatformConfig } from '../../platform/schema';
import { FIXTURE_ENVIRONMENTS, fixtureConfig, renderConfigs } from '../helpers';

// The tests render these fixtures, never config/ (DESIGN §9), so together they must keep using
// every feature: an edit of a fixture that drops one fails here, not silently in coverage.
const configs = FIXTURE_ENVIRONMENTS.map((env) => fixtureConfig(env));
const groups = configs.flatMap((c) => c.clusters.flatMap((cluster) => cluster.nodeGroups));
const apps = configs.flatMap((c) => c.apps);
const some = (predicate: (config: PlatformConfig) => boolean) => configs.some(predicate);

describe('the fixture platform', () => {
  it('has an environment per file, each with its own account, network and zones', () => {
    expect(configs.map((c) => c.name)).toEqual([...FIXTURE_ENVIRONMENTS]);
    for (const field of ['account', 'region'] as const) {
      expect(new Set(configs.map((c) => c[field])).size, field).toBeGreaterThan(1);
    }
    expect(new Set(configs.map((c) => c.network.cidr)).size).toBe(configs.length);
    expect(new Set(configs.map((c) => c.network.availabilityZones.join())).size).toBe(configs.length);
  });

  it('uses the three authentication modes', () => {
    expect(configs.map((c) => c.authenticationMode).sort()).toEqual([
      'API',
      'API_AND_CONFIG_MAP',
      'CONFIG_MAP',
    ]);
  });

  it('runs blue/green: two clusters on different Kubernetes minors, and an environment whose live cluster is not blue', () => {
    expect(
      some((c) => c.clusters.length >= 2 && new Set(c.clusters.map((k) => k.kubernetesVersion)).size >= 2),
    ).toBe(true);
    expect(some((c) => c.live !== 'blue')).toBe(true);
  });

  it('has off-hours, taints, a single-AZ stateful group, spot groups, Graviton and a pinned AMI release', () => {
    expect(groups.some((g) => g.offHours !== undefined)).toBe(true);
    expect(groups.some((g) => g.taints.some((t) => t.effect === 'NoSchedule'))).toBe(true);
    expect(groups.some((g) => g.taints.some((t) => t.effect === 'NoExecute'))).toBe(true);
    expect(
      groups.some(
        (g) => !g.perAz && g.availabilityZones.length === 1 && g.labels['node-purpose'] === 'stateful',
      ),
    ).toBe(true);
    expect(groups.some((g) => g.capacityType === 'SPOT' && g.instanceTypes.length > 1)).toBe(true);
    expect(groups.some((g) => g.instanceTypes.some((t) => /^[a-z]\d+g\./.test(t)))).toBe(true);
    expect(groups.some((g) => g.releaseVersion !== '')).toBe(true);
  });

  it('places apps on essential, spot and any nodes, with tolerations', () => {
    expect([...new Set(apps.map((a) => a.placement))].sort()).toEqual(['any', 'essential', 'spot']);
    expect(apps.some((a) => a.tolerations.length > 0)).toBe(true);
  });

  it('has both NAT gateway layouts, an S3 state backend and overprovisioning', () => {
    expect([...new Set(configs.map((c) => c.network.natGateways))].sort()).toEqual(['perAz', 'single']);
    expect(some((c) => c.backend?.s3 !== undefined)).toBe(true);
    expect(some((c) => c.addons.overprovisioning.enabled)).toBe(true);
  });

  it('renders every registered custom workload', () => {
    const rendering = renderConfigs(configs);
    for (const workload of CUSTOM_WORKLOADS) {
      expect(
        apps.map((a) => a.name),
        workload.app,
      ).toContain(workload.app);
      const component = rendering.objects.filter((o) => o.component === `apps-${workload.app}`);
      expect(
        component.some((o) => o.object.kind === 'CronJob'),
        workload.app,
      ).toBe(true);
    }
  });
});
