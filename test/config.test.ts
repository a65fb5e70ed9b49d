/**
 * The only test file that reads the repository's config/ (DESIGN §9). config/ belongs to the team
 * that adopts the repository: these tests assert only what every valid config satisfies, and prove
 * that the ordinary edits a team makes keep `synth` and `check` green. Every other test renders the
 * fixtures of test/fixtures/, which the last test here enforces.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { platformJsonSchema } from '../platform/schema';
import { runCli, snapshotTree, tempDir } from './cli/run-cli';
import { ROOT } from './helpers';

const CONFIG_DIR = join(ROOT, 'config');

type Raw = Record<string, any>;

/** The environment files of a config folder, parsed, by file name. */
function environmentsOf(dir: string): Map<string, Raw> {
  const files = readdirSync(dir)
    .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
    .sort();
  return new Map(files.map((name) => [name, parse(readFileSync(join(dir, name), 'utf8')) as Raw]));
}

/** `synth` then `check` of a config folder into temporary folders; returns the rendered dist. */
function synthAndCheck(config: string): { dist: string; synth: string; check: string } {
  const dist = tempDir('dist');
  const synth = runCli(['synth', '--config', config, '--dist', dist, '--tf-out', tempDir('tfout')]);
  expect(synth.stderr, 'synth').toBe('');
  expect(synth.code, 'synth').toBe(0);
  const check = runCli(['check', '--config', config, '--dist', dist]);
  expect(check.stderr, 'check').toBe('');
  expect(check.code, 'check').toBe(0);
  return { dist, synth: synth.stdout, check: check.stdout };
}

const unused = (candidates: readonly string[], taken: readonly string[]): string | undefined =>
  candidates.find((c) => !taken.includes(c));

describe("the repository's own config/", () => {
  it('loads, renders and passes every rule of npm run check', () => {
    const { check } = synthAndCheck(CONFIG_DIR);
    expect(check).toMatch(
      /check: ok: dist\/ is up to date \(\d+ files\); \d+ objects and \d+ stacks pass every rule/,
    );
  });

  it('holds the JSON Schema generated from the zod schema (run `npm run schema` when this fails)', () => {
    expect(readFileSync(join(CONFIG_DIR, 'schema.json'), 'utf8')).toBe(
      `${JSON.stringify(platformJsonSchema(), null, 2)}\n`,
    );
  });
});

describe('a team adopting the repository', () => {
  it('keeps synth and check green after the ordinary edits of config/', (context) => {
    const config = tempDir('adopted-config');
    cpSync(CONFIG_DIR, config, { recursive: true });
    const envs = environmentsOf(config);
    if (envs.size === 0) context.skip('config/ holds no environment file to edit');
    const skipped: string[] = [];
    const expected: string[] = []; // files of dist/ that prove each edit was rendered
    const absent: string[] = []; // files of dist/ that prove the removal
    let liveDns: { stack: string; cluster: string } | undefined;
    let nodeGroup: { stack: string; name: string } | undefined;

    // The environment with the most clusters gets the blue/green edits, the one with the most apps
    // the app edits. YAML objects are edited, not text, so the team's layout and comments do not matter.
    const entries = [...envs.entries()];
    const [, multi] = entries.reduce((best, e) =>
      (e[1].clusters?.length ?? 0) > (best[1].clusters?.length ?? 0) ? e : best,
    );
    const [, mostApps] = entries.reduce((best, e) =>
      (e[1].apps?.length ?? 0) > (best[1].apps?.length ?? 0) ? e : best,
    );
    const withApps = (mostApps.apps?.length ?? 0) > 0 ? mostApps : undefined;

    // A new environment: its own file, name, account, CIDR, zones, DNS zones and state bucket.
    const [baseFile, base] = entries[0] as [string, Raw];
    const names = entries.map(([, raw]) => String(raw.name));
    const name = unused(['qa', 'qa2', 'qa3', 'adopted'], names) ?? 'adopted2';
    const accounts = entries.map(([, raw]) => String(raw.account));
    const account = unused(['999999999999', '999999999998', '999999999997'], accounts) as string;
    const octets = entries.map(([, raw]) => String(raw.network?.cidr ?? '').split('.')[1] ?? '');
    const octet = unused(
      Array.from({ length: 100 }, (_, i) => String(150 + i)),
      octets,
    ) as string;
    const added = structuredClone(base);
    added.name = name;
    if (added.tags?.environment !== undefined) added.tags.environment = name;
    const oldAccount = String(base.account);
    added.account = account;
    for (const entry of added.access ?? [])
      entry.roleArn = String(entry.roleArn).replace(oldAccount, account);
    added.network.cidr = `10.${octet}.0.0/16`;
    const zones: string[] = added.network.availabilityZones ?? [];
    if (zones.length >= 3) {
      // Its own zones: one zone fewer than the environment it was copied from.
      added.network.availabilityZones = zones.slice(0, -1);
      for (const cluster of added.clusters ?? []) {
        for (const group of cluster.nodeGroups ?? []) {
          if (!Array.isArray(group.availabilityZones)) continue;
          group.availabilityZones = group.availabilityZones.filter((z: string) =>
            zones.slice(0, -1).includes(z),
          );
          if (group.availabilityZones.length === 0) delete group.availabilityZones;
        }
      }
    }
    added.dns = {
      private: { zone: `${name}.${base.dns.private.zone}`, zoneId: 'Z0ADOPTEDPRIVATE' },
      public: { zone: `${name}.${base.dns.public.zone}`, zoneId: 'Z0ADOPTEDPUBLIC' },
    };
    if (added.backend?.s3) added.backend.s3.bucket = `tfstate-${name}-${account}`;
    envs.set(`${name}${extname(baseFile)}`, added);
    expected.push(`infra/${name}-network.tf.json`);
    for (const cluster of added.clusters ?? []) expected.push(`infra/${name}-${cluster.color}.tf.json`);

    // A node group: a copy of the first group of the first cluster, smaller, under a new name.
    const cluster = multi.clusters?.[0];
    if (cluster?.nodeGroups?.length) {
      const group = structuredClone(cluster.nodeGroups[0]);
      group.name = unused(
        ['extra', 'extra2', 'adopted'],
        cluster.nodeGroups.map((g: Raw) => g.name),
      );
      group.minSize = 0;
      delete group.desiredSize;
      cluster.nodeGroups.push(group);
      nodeGroup = {
        stack: `infra/${multi.name}-${cluster.color}.tf.json`,
        name: `${multi.name}-${cluster.color}-${group.name}`,
      };
    } else skipped.push('add a node group: no cluster with a node group');

    // A third cluster (or one more), then live switched to another color.
    const colors: string[] = (multi.clusters ?? []).map((c: Raw) => String(c.color));
    if (colors.length > 0) {
      const copy = structuredClone(multi.clusters[colors.length - 1]);
      copy.color = unused(['teal', 'amber', 'violet', 'third'], colors);
      multi.clusters.push(copy);
      expected.push(`infra/${multi.name}-${copy.color}.tf.json`, `${multi.name}-${copy.color}/argocd`);
      const live = colors.find((c) => c !== multi.live) ?? copy.color;
      multi.live = live;
      liveDns = { stack: `infra/${multi.name}-live-dns.tf.json`, cluster: `${multi.name}-${live}` };
    } else skipped.push('add a cluster and switch live: no environment has a cluster');

    // An app added (a copy of the first, in its own namespace) and one removed.
    if (withApps) {
      const apps: Raw[] = withApps.apps;
      const app = structuredClone(apps[0] as Raw);
      app.name = unused(
        ['adopted', 'adopted2', 'adopted3'],
        apps.map((a) => a.name),
      );
      app.namespace = app.name;
      app.dns = { private: app.name }; // the copied public record is the other app's
      if (apps.length >= 2) {
        const removed = apps.pop() as Raw;
        for (const c of withApps.clusters ?? [])
          absent.push(`${withApps.name}-${c.color}/apps-${removed.name}/`);
      } else skipped.push('remove an app: the environment with apps has only one');
      apps.push(app);
      for (const c of withApps.clusters ?? []) {
        if (app.clusters === undefined || app.clusters.includes(c.color)) {
          expected.push(`${withApps.name}-${c.color}/apps-${app.name}/namespace_${app.name}.yaml`);
        }
      }
    } else skipped.push('add and remove an app: no environment has an app');

    for (const [file, raw] of envs) writeFileSync(join(config, file), stringify(raw));
    for (const message of skipped) console.warn(`adoption test: skipped: ${message}`);

    const { dist, synth } = synthAndCheck(config);
    expect(synth).toContain(`synth: ${envs.size} environment(s)`);
    const files = Object.keys(snapshotTree(dist));
    for (const path of expected) {
      expect(
        files.some((f) => f === path || f.startsWith(`${path}/`)),
        `${path} rendered`,
      ).toBe(true);
    }
    if (nodeGroup) {
      const stack = JSON.parse(readFileSync(join(dist, nodeGroup.stack), 'utf8'));
      const names = Object.values(stack.resource.aws_eks_node_group).map((g: any) =>
        String(g.node_group_name),
      );
      // One group, or one per zone (perAz) suffixed with the zone letter.
      expect(names.filter((n) => n === nodeGroup?.name || n.startsWith(`${nodeGroup?.name}-`))).not.toEqual(
        [],
      );
    }
    if (liveDns) {
      // The live DNS stack now reads the newly live cluster.
      const stack = JSON.parse(readFileSync(join(dist, liveDns.stack), 'utf8'));
      expect(stack.data.aws_eks_cluster['live-cluster'].name).toBe(liveDns.cluster);
    }
    for (const prefix of absent)
      expect(
        files.filter((f) => f.startsWith(prefix)),
        prefix,
      ).toEqual([]);
  });
});

describe('the tests themselves', () => {
  // The patterns of the repository's stop hook: any test file but this one that names config/
  // would turn red when a team edits its own environments.
  const readsConfig = /config\/(prod|dev)|['"]config['"]|join\([^)]*'config'/;

  it('read config/ in this file only; every other test renders test/fixtures/', () => {
    const testDir = join(ROOT, 'test');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        const file = relative(ROOT, path).split('\\').join('/');
        if (entry.isDirectory()) {
          if (file !== 'test/fixtures') walk(path);
        } else if (/\.[cm]?ts$/.test(entry.name) && readsConfig.test(readFileSync(path, 'utf8'))) {
          offenders.push(file);
        }
      }
    };
    walk(testDir);
    expect(existsSync(join(testDir, 'config.test.ts'))).toBe(true);
    // This file does read config/, so the scan is not vacuous.
    expect(offenders).toContain('test/config.test.ts');
    expect(offenders.filter((f) => f !== 'test/config.test.ts')).toEqual([]);
  });
});
