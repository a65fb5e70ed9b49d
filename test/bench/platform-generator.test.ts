import { describe, expect, it } from 'vitest';
import { generatePlatform } from '../../bench/platform-generator';
import { parseConfig } from '../../platform/load';
import { clusterName } from '../../platform/names';
import { fixtureText } from '../helpers';

function configsOf(clusters: number) {
  return generatePlatform(fixtureText('prod'), clusters).map((file) =>
    parseConfig(file.text, file.name, file.name.replace(/\.yaml$/, '')),
  );
}

describe('the benchmark platform generator', () => {
  it.each([1, 2, 7, 10, 50])('generates %i valid clusters, each named once', (clusters) => {
    const configs = configsOf(clusters);
    const names = configs.flatMap((c) => c.clusters.map((cluster) => clusterName(c, cluster)));
    expect(names).toHaveLength(clusters);
    expect(new Set(names).size).toBe(clusters);
  });

  it('gives every environment its own network and a live cluster it has', () => {
    const configs = configsOf(5);
    expect(configs.map((c) => c.name)).toEqual(['bench-001', 'bench-002', 'bench-003']);
    expect(new Set(configs.map((c) => c.network.cidr)).size).toBe(3);
    for (const config of configs) {
      expect(config.clusters.map((c) => c.color)).toContain(config.live);
    }
    const last = configs[2];
    expect(last?.clusters.map((c) => c.color)).toEqual(['blue']);
    for (const app of last?.apps ?? []) expect(app.clusters).toEqual(['blue']);
  });

  it('keeps the template features: node groups and apps of the example', () => {
    const [first] = configsOf(2);
    const prod = parseConfig(fixtureText('prod'), 'prod.yaml', 'prod');
    expect(first?.clusters.map((c) => c.nodeGroups.length)).toEqual(
      prod.clusters.map((c) => c.nodeGroups.length),
    );
    expect(first?.apps.map((a) => a.name)).toEqual(prod.apps.map((a) => a.name));
  });

  it('rejects a cluster count below one', () => {
    expect(() => generatePlatform(fixtureText('prod'), 0)).toThrow(
      'clusters must be a whole number >= 1, got 0',
    );
  });
});
