/**
 * The only test file that reads the repository's config/ (DESIGN §9). config/ belongs to the team
 * that adopts the repository: these tests assert only what every valid config satisfies, and prove
 * that the ordinary edits a team makes keep `synth` and `check` green. Every other test renders the
 * fixtures of test/fixtures/, which the last test here enforces.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformJsonSchema } from '../platform/schema';
import { applyOrdinaryEdits, environmentsOf } from './adoption-edits';
import { runCli, snapshotTree, tempDir } from './cli/run-cli';
import { ROOT } from './helpers';

const CONFIG_DIR = join(ROOT, 'config');

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

describe("the repository's own config/", () => {
  it('loads, renders and passes every rule of npm run check', () => {
    const { check } = synthAndCheck(CONFIG_DIR);
    expect(check).toMatch(
      /check: ok: dist\/ is up to date for every environment \(.+\) \(\d+ files and \.generated\); \d+ objects and \d+ stacks pass every rule/,
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
    if (environmentsOf(config).size === 0) context.skip('config/ holds no environment file to edit');
    const { environments, skipped, expected, absent, liveDns, nodeGroup } = applyOrdinaryEdits(config);
    for (const message of skipped) console.warn(`adoption test: skipped: ${message}`);

    const { dist, synth } = synthAndCheck(config);
    expect(synth).toContain(`synth: ${environments} environment(s)`);
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
  it('cannot run synth or check on the default config/ or dist/ by leaving out the option', () => {
    expect(() => runCli(['synth', '--dist', tempDir('dist')])).toThrow(/synth without --config/);
    expect(() => runCli(['check', '--config', tempDir('config-dir')])).toThrow(/check without --dist/);
  });

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
