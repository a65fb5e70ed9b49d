import { describe, expect, it } from 'vitest';
import { generateAppPlatform, generatedAppName, generatePlatform } from '../../bench/platform-generator';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { parseConfig } from '../../platform/load';
import { appNamespace, clusterName } from '../../platform/names';
import { fixtureText, renderConfigs } from '../helpers';

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

describe('the object-heavy platform generator', () => {
  const appConfig = (apps: number, clusters?: number) => {
    const [file, ...others] = generateAppPlatform(fixtureText('prod'), {
      apps,
      ...(clusters === undefined ? {} : { clusters }),
    });
    expect(others).toEqual([]);
    if (file === undefined) throw new Error('no file generated');
    return parseConfig(file.text, file.name, file.name.replace(/\.yaml$/, ''));
  };

  it('generates 2,000 valid apps on one cluster, each name, namespace and DNS name once', () => {
    const config = appConfig(2000, 1);
    expect(config.clusters.map((c) => c.color)).toEqual(['blue']);
    expect(config.apps).toHaveLength(2000);
    const names = config.apps.map((a) => a.name);
    expect(new Set(names).size).toBe(2000);
    expect(new Set(config.apps.map((a) => appNamespace(a))).size).toBe(2000);
    const privateNames = config.apps.flatMap((a) => (a.dns.private ? [a.dns.private] : []));
    expect(new Set(privateNames).size).toBe(privateNames.length);
    for (const app of config.apps) expect(app.clusters ?? ['blue']).toEqual(['blue']);
  });

  it('varies the apps the way many teams would write them', () => {
    const { apps } = appConfig(1000, 2);
    const share = (test: (a: (typeof apps)[number]) => boolean) => apps.filter(test).length / apps.length;
    expect(new Set(apps.map((a) => a.team)).size).toBeGreaterThan(50);
    for (const placement of ['essential', 'spot', 'any'] as const) {
      expect(share((a) => a.placement === placement)).toBeGreaterThan(0.15);
    }
    expect(share((a) => a.namespace !== undefined && a.namespace !== a.name)).toBeGreaterThan(0.1);
    expect(share((a) => a.dns.private !== undefined)).toBeGreaterThan(0.3);
    expect(share((a) => a.dns.public !== undefined)).toBeGreaterThan(0.05);
    expect(share((a) => a.tolerations.length > 0)).toBeGreaterThan(0);
    expect(share((a) => a.image.includes('@sha256:'))).toBeGreaterThan(0.05);
    expect(share((a) => a.clusters === undefined || a.clusters.length === 2)).toBeGreaterThan(0.8);
    expect(share((a) => a.clusters?.length === 1 && a.clusters[0] === 'green')).toBeGreaterThan(0);
    expect(new Set(apps.map((a) => `${a.resources.cpu}/${a.resources.memory}`)).size).toBeGreaterThan(10);
  });

  it('is deterministic, and an app keeps its attributes when the count changes', () => {
    const text = (apps: number) => generateAppPlatform(fixtureText('prod'), { apps })[0]?.text;
    expect(text(300)).toBe(text(300));
    const small = appConfig(300).apps;
    expect(appConfig(400).apps.slice(0, 300)).toEqual(small);
  });

  it('names apps past the 2,400 combinations of domain, noun and role with a suffix', () => {
    expect(generatedAppName(0)).toBe('accounts-profile-api');
    expect(generatedAppName(2400)).toBe('accounts-profile-api-2');
  });

  it('renders a platform whose objects pass every rule of npm run check', () => {
    const config = appConfig(60, 2);
    const rendering = renderConfigs([config]);
    expect(rendering.objects.length).toBeGreaterThan(60 * 2 * 6);
    expect(
      runRules(ALL_RULES, { rendering: rendering, configs: [config] }).map(
        (v) => `${v.rule} ${v.file}: ${v.message}`,
      ),
    ).toEqual([]);
  });

  it('rejects fewer apps than the template has, or more clusters than it has', () => {
    expect(() => generateAppPlatform(fixtureText('prod'), { apps: 1 })).toThrow(
      "apps must be a whole number >= the template's 2 app(s), got 1",
    );
    expect(() => generateAppPlatform(fixtureText('prod'), { apps: 10, clusters: 3 })).toThrow(
      "clusters must be a whole number from 1 to the template's 2, got 3",
    );
  });
});
