import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { stableJson } from '../../cli/serialize';
import { platformJsonSchema } from '../../platform/schema';
import { FIXTURE_CONFIG, FIXTURE_ENVIRONMENTS, fixtureText, ROOT } from '../helpers';
import { configDir, copyOfFixtureConfig, runCli, runProcess, snapshotTree, TSX, tempDir } from './run-cli';

describe('npm run synth', () => {
  it('renders every environment into dist and cdktf.out and reports a summary', () => {
    const dist = tempDir('dist');
    const tfOut = tempDir('tfout');
    const result = runCli(['synth', '--config', FIXTURE_CONFIG, '--dist', dist, '--tf-out', tfOut]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /synth: 3 environment\(s\): 14 stacks \(\d+ resources\), \d+ Kubernetes objects on 4 cluster\(s\)/,
    );
    const files = Object.keys(snapshotTree(dist));
    expect(files).toContain('infra/prod-network.tf.json');
    expect(files).toContain('infra/stage-green.tf.json');
    expect(files).toContain('prod-blue/apps-web/namespace_web.yaml');
    expect(files).toContain('dev-blue/apps-web/namespace_web.yaml');
    expect(files).toContain('stage-green/apps-reports/namespace_batch.yaml');
    expect(Object.keys(snapshotTree(tfOut))).toContain(join('stacks', 'prod-network', 'cdk.tf.json'));
  });

  it('changes no byte when run twice', () => {
    const dist = tempDir('dist');
    runCli(['synth', '--config', FIXTURE_CONFIG, '--dist', dist, '--tf-out', tempDir('tfout')]);
    const first = snapshotTree(dist);
    const second = runCli([
      'synth',
      '--config',
      FIXTURE_CONFIG,
      '--dist',
      dist,
      '--tf-out',
      tempDir('tfout'),
    ]);
    expect(second.stdout).toMatch(/dist: 0 added, 0 changed, 0 removed, \d+ unchanged/);
    expect(snapshotTree(dist)).toEqual(first);
  });

  it('renders only the environments named with --env', () => {
    const dist = tempDir('dist');
    const result = runCli([
      'synth',
      '--config',
      FIXTURE_CONFIG,
      '--env',
      'dev',
      '--dist',
      dist,
      '--tf-out',
      tempDir('tfout'),
    ]);
    expect(result.code).toBe(0);
    const files = Object.keys(snapshotTree(dist));
    expect(files.some((f) => f.startsWith('dev-blue/'))).toBe(true);
    expect(files.some((f) => f.startsWith('prod-') || f.startsWith('infra/prod-'))).toBe(false);
    expect(files.some((f) => f.startsWith('stage-') || f.startsWith('infra/stage-'))).toBe(false);
  });

  it('is byte-identical across time zones, locales and working directories', () => {
    const render = (env: NodeJS.ProcessEnv, cwd: string) => {
      const dist = tempDir('dist');
      const result = runProcess(
        ['synth', '--config', FIXTURE_CONFIG, '--dist', dist, '--tf-out', tempDir('tfout')],
        {
          cwd,
          env,
        },
      );
      expect(result.code, result.stderr).toBe(0);
      return snapshotTree(dist);
    };
    const a = render({ TZ: 'UTC', LANG: 'C', LC_ALL: 'C' }, ROOT);
    const b = render({ TZ: 'Asia/Tokyo', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' }, tempDir('cwd'));
    expect(Object.keys(a).length).toBeGreaterThan(3);
    expect(b).toEqual(a);
  });

  it('exits 2 from a real process on a bad config', () => {
    const config = configDir({ 'prod.yaml': fixtureText('prod').replace('live: blue', 'live: purple') });
    const result = runProcess(['synth', '--config', config, '--dist', tempDir('dist')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'prod.yaml: live: must name a cluster color: one of blue, green, got "purple"',
    );
  });
});

describe('npm run check', () => {
  function renderedDist(): string {
    const dist = tempDir('dist');
    expect(
      runCli(['synth', '--config', FIXTURE_CONFIG, '--dist', dist, '--tf-out', tempDir('tfout')]).code,
    ).toBe(0);
    return dist;
  }

  it('passes on a freshly rendered dist', () => {
    const result = runCli(['check', '--config', FIXTURE_CONFIG, '--dist', renderedDist()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/check: ok: dist\/ is up to date/);
  });

  it('fails naming the file after a hand edit in dist', () => {
    const dist = renderedDist();
    const file = join(dist, 'prod-blue/apps-web/namespace_web.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: web', 'name: web2'));
    const result = runCli(['check', '--config', FIXTURE_CONFIG, '--dist', dist]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dist/prod-blue/apps-web/namespace_web.yaml: differs from the render');
  });

  it('fails naming the file after a deletion in dist', () => {
    const dist = renderedDist();
    rmSync(join(dist, 'infra/dev-network.tf.json'));
    const result = runCli(['check', '--config', FIXTURE_CONFIG, '--dist', dist]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dist/infra/dev-network.tf.json: missing');
  });

  it('fails naming a file that is no longer generated', () => {
    const dist = renderedDist();
    const config = copyOfFixtureConfig();
    rmSync(join(config, 'dev.yaml'));
    const result = runCli(['check', '--config', config, '--dist', dist]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dist/infra/dev-network.tf.json: no longer generated');
  });

  it('exits 2 on a bad config without touching dist', () => {
    const dist = renderedDist();
    const before = snapshotTree(dist);
    const config = configDir({
      'prod.yaml': fixtureText('prod').replace('natGateways: perAz', 'natGateways: two'),
    });
    const result = runCli(['check', '--config', config, '--dist', dist]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'prod.yaml: network.natGateways: must be one of single, perAz, got "two"',
    );
    expect(snapshotTree(dist)).toEqual(before);
  });
});

describe('the JSON Schema of the config files', () => {
  it('is referenced by the first line of every fixture file for editor completion', () => {
    const reference = '# yaml-language-server: $schema=../../../config/schema.json';
    for (const env of FIXTURE_ENVIRONMENTS) {
      expect(fixtureText(env).split('\n')[0], env).toBe(reference);
    }
    // The reference resolves from the fixture folder to the generated schema of the repository.
    expect(existsSync(resolve(FIXTURE_CONFIG, reference.slice(reference.indexOf('=') + 1)))).toBe(true);
  });

  it('rejects unknown keys and documents defaults', () => {
    const schema = platformJsonSchema() as any;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.authenticationMode.default).toBe('API');
  });
});

/**
 * A copy of the repository's code whose config folder holds the fixtures: the cdktf and cdk8s entry
 * points read the config folder next to their own code, and the tests never render the real one.
 */
function repositoryWithFixtureConfig(): string {
  const repo = tempDir('repo');
  for (const entry of ['cli', 'infra', 'manifests', 'platform', 'cdktf.json', 'cdk8s.yaml', 'package.json']) {
    cpSync(join(ROOT, entry), join(repo, entry), { recursive: true });
  }
  cpSync(FIXTURE_CONFIG, `${repo}/config`, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'), 'dir');
  return repo;
}

describe('the cdktf and cdk8s entry points', () => {
  it('npx cdktf synth produces the same stacks as npm run synth', () => {
    const repo = repositoryWithFixtureConfig();
    const tfOut = tempDir('cdktf-cli');
    const cli = spawnSync('npx', ['cdktf', 'synth', '--output', tfOut], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' },
    });
    expect(cli.status, cli.stderr).toBe(0);
    const dist = tempDir('dist');
    runCli(['synth', '--config', FIXTURE_CONFIG, '--dist', dist, '--tf-out', tempDir('tfout')]);
    const stacks = Object.keys(snapshotTree(dist))
      .filter((f) => f.startsWith('infra/'))
      .map((f) => f.slice('infra/'.length, -'.tf.json'.length));
    expect(stacks).toHaveLength(14);
    expect(readdirSync(join(tfOut, 'stacks')).sort()).toEqual([...stacks].sort());
    for (const stack of stacks) {
      const fromCli = JSON.parse(readFileSync(join(tfOut, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      expect(stableJson(fromCli), stack).toBe(readFileSync(join(dist, 'infra', `${stack}.tf.json`), 'utf8'));
    }
  });

  it('the cdk8s app renders every cluster of the config', () => {
    const repo = repositoryWithFixtureConfig();
    const out = tempDir('cdk8s');
    const run = spawnSync(process.execPath, [TSX, join(repo, 'manifests', 'main.ts')], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_OUTDIR: out },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['dev-blue', 'prod-blue', 'prod-green', 'stage-green']);
  });
});

describe('partial renders (--env, --config <file>)', () => {
  /** A copy of the fixture config whose dev environment has a second app, rendered in full. */
  function renderedWithExtraDevApp() {
    const config = copyOfFixtureConfig();
    const devFile = join(config, 'dev.yaml');
    const dev = parse(readFileSync(devFile, 'utf8'));
    dev.apps.push({ ...dev.apps[0], name: 'extra', dns: {} });
    writeFileSync(devFile, stringify(dev));
    const dist = tempDir('dist');
    expect(runCli(['synth', '--config', config, '--dist', dist, '--tf-out', tempDir('tfout')]).code).toBe(0);
    // The app leaves dev: its files become stale, and only dev's render may remove them.
    dev.apps.pop();
    writeFileSync(devFile, stringify(dev));
    return { config, dist, devFile };
  }

  const prodFiles = (tree: Record<string, string>) =>
    Object.fromEntries(Object.entries(tree).filter(([path]) => /^(prod-|infra\/prod-)/.test(path)));
  const indexSection = (dist: string, env: string) =>
    readFileSync(join(dist, '.generated'), 'utf8').split(`[${env}]\n`)[1]?.split('\n\n')[0] ?? '';

  it.each([
    ['--env dev', (config: string) => ['--config', config, '--env', 'dev']],
    ['--config dev.yaml', (config: string) => ['--config', join(config, 'dev.yaml')]],
  ])("%s writes and prunes only dev's files and keeps prod's files and index entries", (_, args) => {
    const { config, dist } = renderedWithExtraDevApp();
    const before = snapshotTree(dist);
    const prodIndex = indexSection(dist, 'prod');
    expect(Object.keys(prodFiles(before)).length).toBeGreaterThan(100);
    expect(Object.keys(before)).toContain('dev-blue/apps-extra/namespace_extra.yaml');

    const result = runCli(['synth', ...args(config), '--dist', dist, '--tf-out', tempDir('tfout')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("for dev; other environments' files untouched");
    const after = snapshotTree(dist);
    expect(prodFiles(after)).toEqual(prodFiles(before));
    expect(indexSection(dist, 'prod')).toBe(prodIndex);
    expect(Object.keys(after).filter((p) => p.startsWith('dev-blue/apps-extra/'))).toEqual([]);
    expect(indexSection(dist, 'dev')).not.toContain('apps-extra');
    expect(Object.keys(after)).toContain('dev-blue/apps-web/namespace_web.yaml');
    // The partial render left dist/ exactly as a full render of the new config would.
    expect(runCli(['check', '--config', config, '--dist', dist]).code).toBe(0);
  });

  it("check --env reports a stale file of that environment and ignores other environments' files", () => {
    const { config, dist } = renderedWithExtraDevApp();
    const prodFile = join(dist, 'prod-blue/apps-web/namespace_web.yaml');
    writeFileSync(prodFile, `${readFileSync(prodFile, 'utf8')}# hand edit\n`);

    const stale = runCli(['check', '--config', config, '--env', 'dev', '--dist', dist]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('check: dist/ is stale for dev (');
    expect(stale.stderr).toContain('dist/dev-blue/apps-extra/namespace_extra.yaml: no longer generated');
    expect(stale.stderr).not.toContain('prod-blue');

    expect(
      runCli(['synth', '--config', config, '--env', 'dev', '--dist', dist, '--tf-out', tempDir('tfout')])
        .code,
    ).toBe(0);
    const fresh = runCli(['check', '--config', join(config, 'dev.yaml'), '--dist', dist]);
    expect(fresh.stderr).toBe('');
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/check: ok: dist\/ is up to date for dev \(\d+ files and \.generated\)/);

    const prod = runCli(['check', '--config', config, '--env', 'prod', '--dist', dist]);
    expect(prod.code).toBe(1);
    expect(prod.stderr).toContain('dist/prod-blue/apps-web/namespace_web.yaml: differs from the render');
    expect(prod.stderr).not.toContain('dev-blue');
  });

  it('a full check names every environment it checked', () => {
    const dist = tempDir('dist');
    expect(
      runCli(['synth', '--config', FIXTURE_CONFIG, '--dist', dist, '--tf-out', tempDir('tfout')]).code,
    ).toBe(0);
    const result = runCli(['check', '--config', FIXTURE_CONFIG, '--dist', dist]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /check: ok: dist\/ is up to date for every environment \(dev, prod, stage\) \(\d+ files/,
    );
  });

  it('rejects an environment whose files dist/.generated records for another environment', () => {
    const config = copyOfFixtureConfig();
    const dist = tempDir('dist');
    expect(runCli(['synth', '--config', config, '--dist', dist, '--tf-out', tempDir('tfout')]).code).toBe(0);
    // The index says dev's files belong to another environment (one whose cluster or stack names
    // collide with dev's): a partial render of dev must not take them over.
    const index = join(dist, '.generated');
    writeFileSync(index, readFileSync(index, 'utf8').replace('[dev]', '[development]'));
    const before = snapshotTree(dist);
    const result = runCli([
      'synth',
      '--config',
      join(config, 'dev.yaml'),
      '--dist',
      dist,
      '--tf-out',
      tempDir('tfout'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "rendered for environment dev, but dist/.generated records it as environment development's",
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshotTree(dist)).toEqual(before);
  });
});

describe('npm run check with --env', () => {
  it('runs the rules on the named environment and checks only its files in dist/', () => {
    const dist = tempDir('dist');
    const args = ['--config', FIXTURE_CONFIG, '--env', 'dev', '--dist', dist];
    expect(runCli(['synth', ...args, '--tf-out', tempDir('tfout')]).code).toBe(0);
    const result = runCli(['check', ...args]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /check: ok: dist\/ is up to date for dev \(\d+ files and \.generated\); .* objects and 4 stacks pass every rule/,
    );
  });
});
