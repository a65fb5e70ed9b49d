import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FIXTURE_CONFIG, fixtureText } from '../helpers';
import { configDir, runCli, runProcess, snapshotTree, tempDir, writeTree } from './run-cli';

type Raw = Record<string, any>;

function prodWith(edit: (raw: Raw) => void): string {
  const raw = parse(fixtureText('prod')) as Raw;
  edit(raw);
  return stringify(raw);
}

/** Renders `files` as the config folder into a dist that already holds files, and returns what happened. */
function synthWith(files: Record<string, string>) {
  const config = configDir(files);
  const dist = tempDir('dist');
  writeTree(dist, { 'prod-blue/apps-web/namespace_web.yaml': 'kept: true\n', 'README.md': 'hand written\n' });
  const before = snapshotTree(dist);
  const result = runCli([
    'synth',
    '--config',
    config,
    '--dist',
    dist,
    '--tf-out',
    join(dist, '..', 'tf-out-unused'),
  ]);
  return { ...result, before, after: snapshotTree(dist), file: join(config, 'prod.yaml') };
}

const cases: { name: string; files: () => Record<string, string>; message: string }[] = [
  {
    name: 'rejects malformed YAML with its line and column',
    files: () => ({ 'prod.yaml': 'name: prod\nclusters: [blue\n' }),
    message: 'prod.yaml: line 3, column 1: invalid YAML',
  },
  {
    name: 'rejects an unknown top-level key and lists the allowed ones',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.clusterz = [])) }),
    message: 'prod.yaml: clusterz: unknown key; allowed keys here: name, account, region',
  },
  {
    name: 'rejects an unknown key in a node group',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.clusters[0].nodeGroups[1].spotPrice = '1.50')) }),
    message:
      'prod.yaml: clusters[0].nodeGroups[1].spotPrice: unknown key; allowed keys here: name, instanceTypes',
  },
  {
    name: 'rejects a node group whose maxSize is below minSize',
    files: () => ({
      'prod.yaml': prodWith((r) =>
        Object.assign(r.clusters[1].nodeGroups[0], { minSize: 3, maxSize: 2, desiredSize: 3 }),
      ),
    }),
    message: 'prod.yaml: clusters[1].nodeGroups[0].maxSize: must be >= minSize (3), got 2',
  },
  {
    name: 'rejects a desiredSize outside minSize and maxSize',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.clusters[0].nodeGroups[0].desiredSize = 9)) }),
    message:
      'prod.yaml: clusters[0].nodeGroups[0].desiredSize: must be between minSize (1) and maxSize (4), got 9',
  },
  {
    name: 'rejects a size of the wrong type',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.clusters[0].nodeGroups[0].minSize = 'three')) }),
    message: 'prod.yaml: clusters[0].nodeGroups[0].minSize: must be a number, got "three"',
  },
  {
    name: 'rejects a live color that names no cluster',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.live = 'purple')) }),
    message: 'prod.yaml: live: must name a cluster color: one of blue, green, got "purple"',
  },
  {
    name: 'rejects two clusters of the same color',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.clusters[1].color = 'blue')) }),
    message: 'prod.yaml: clusters[1].color: is used by another cluster, got "blue"',
  },
  {
    name: 'rejects two node groups of the same name in a cluster',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.clusters[0].nodeGroups[2].name = 'spot')) }),
    message:
      'prod.yaml: clusters[0].nodeGroups[2].name: is used by another node group of cluster blue, got "spot"',
  },
  {
    name: 'rejects two apps of the same name in one namespace',
    files: () => ({ 'prod.yaml': prodWith((r) => r.apps.push({ ...r.apps[0], dns: {} })) }),
    message: 'prod.yaml: apps[2].name: is used by another app in namespace web, got "web"',
  },
  {
    name: 'rejects an availability zone of another region',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.network.availabilityZones[2] = 'us-east-1a')) }),
    message:
      'prod.yaml: network.availabilityZones[2]: must be a zone of ca-central-1 (ca-central-1a to ca-central-1h), got "us-east-1a"',
  },
  {
    name: 'rejects a node group zone that the network does not have',
    files: () => ({
      'prod.yaml': prodWith((r) => (r.clusters[0].nodeGroups[2].availabilityZones = ['ca-central-1c'])),
    }),
    message:
      'prod.yaml: clusters[0].nodeGroups[2].availabilityZones[0]: must be one of network.availabilityZones: ca-central-1a, ca-central-1b, ca-central-1d, got "ca-central-1c"',
  },
  {
    name: 'rejects a CIDR with host bits set',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.network.cidr = '10.20.1.0/16')) }),
    message:
      'prod.yaml: network.cidr: has host bits set: the network address of /16 is 10.20.0.0/16, got "10.20.1.0/16"',
  },
  {
    name: 'rejects a VPC too small for a public and a private subnet per zone',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.network.cidr = '10.20.0.0/24')) }),
    message: 'prod.yaml: network.cidr: must have a prefix from /16 to /20',
  },
  {
    name: 'rejects an unsupported Kubernetes version',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.clusters[0].kubernetesVersion = '1.31')) }),
    message: 'prod.yaml: clusters[0].kubernetesVersion: must be one of 1.32, 1.33, 1.34, 1.35, got "1.31"',
  },
  {
    name: 'rejects an unquoted Kubernetes version that YAML reads as a number',
    files: () => ({
      'prod.yaml': fixtureText('prod').replace('kubernetesVersion: "1.34"', 'kubernetesVersion: 1.30'),
    }),
    message:
      'prod.yaml: clusters[0].kubernetesVersion: must be a quoted string such as "1.34" (YAML reads 1.30 as the number 1.3), got 1.3',
  },
  {
    name: 'rejects offHours on an essential node group',
    files: () => ({
      'prod.yaml': prodWith(
        (r) =>
          (r.clusters[0].nodeGroups[0].offHours = {
            stop: '0 20 * * 1-5',
            start: '0 7 * * 1-5',
            timeZone: 'UTC',
          }),
      ),
    }),
    message: 'prod.yaml: clusters[0].nodeGroups[0].offHours: is not allowed on an essential node group',
  },
  {
    name: 'rejects an off-hours cron without five fields',
    files: () => ({
      'prod.yaml': prodWith(
        (r) =>
          (r.clusters[0].nodeGroups[1].offHours = {
            stop: '0 20 * *',
            start: '0 7 * * 1-5',
            timeZone: 'UTC',
          }),
      ),
    }),
    message:
      'prod.yaml: clusters[0].nodeGroups[1].offHours.stop: must have 5 fields (minute hour day-of-month month day-of-week), found 4, got "0 20 * *"',
  },
  {
    name: 'rejects an off-hours time zone that is not an IANA name',
    files: () => ({
      'prod.yaml': prodWith(
        (r) =>
          (r.clusters[0].nodeGroups[1].offHours = {
            stop: '0 20 * * 1-5',
            start: '0 7 * * 1-5',
            timeZone: 'America/Montreall',
          }),
      ),
    }),
    message: 'prod.yaml: clusters[0].nodeGroups[1].offHours.timeZone: is not a known IANA time zone',
  },
  {
    name: 'rejects a CPU request that is not a Kubernetes quantity',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.apps[0].resources.cpu = '250 millicores')) }),
    message:
      'prod.yaml: apps[0].resources.cpu: must be a CPU quantity such as 250m, 1 or 1.5, got "250 millicores"',
  },
  {
    name: 'rejects a memory request that is not a Kubernetes quantity',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.apps[0].resources.memory = '256MB')) }),
    message:
      'prod.yaml: apps[0].resources.memory: must be a memory quantity such as 256Mi, 2Gi or 512M, got "256MB"',
  },
  {
    name: 'rejects an app name that is not a DNS label',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.apps[0].name = 'Web_App')) }),
    message: 'prod.yaml: apps[0].name: must be a DNS label',
  },
  {
    name: 'rejects an access entry whose role ARN is not an IAM role ARN',
    files: () => ({
      'prod.yaml': prodWith((r) => (r.access[0].roleArn = 'arn:aws:iam::111111111111:user/admin')),
    }),
    message:
      'prod.yaml: access[0].roleArn: must be an IAM role ARN such as arn:aws:iam::111111111111:role/k8sadmin, got "arn:aws:iam::111111111111:user/admin"',
  },
  {
    name: 'rejects an account id that is not 12 digits',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.ecr.account = '22222222222')) }),
    message:
      'prod.yaml: ecr.account: must be an AWS account id of exactly 12 digits, quoted, got "22222222222"',
  },
  {
    name: 'rejects a GitOps repository that is not a URL',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.gitops.repoURL = 'platform/eks-platform')) }),
    message:
      'prod.yaml: gitops.repoURL: must be an https:// or ssh:// URL, or git@host:path, got "platform/eks-platform"',
  },
  {
    name: 'rejects an image on the latest tag',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.apps[0].image = 'nginx:latest')) }),
    message:
      'prod.yaml: apps[0].image: must not use the tag latest: pin a version or a digest, got "nginx:latest"',
  },
  {
    name: 'rejects a node label with a prefix EKS reserves',
    files: () => ({
      'prod.yaml': prodWith(
        (r) => (r.clusters[0].nodeGroups[0].labels = { 'kubernetes.io/lifecycle': 'essential' }),
      ),
    }),
    message:
      'prod.yaml: clusters[0].nodeGroups[0].labels.kubernetes.io/lifecycle: uses the reserved prefix kubernetes.io/',
  },
  {
    name: 'rejects access entries without any cluster admin',
    files: () => ({ 'prod.yaml': prodWith((r) => r.access.shift()) }),
    message: 'prod.yaml: access: must map at least one role to system:masters in API_AND_CONFIG_MAP mode',
  },
  {
    name: 'rejects an environment whose name differs from its file name',
    files: () => ({ 'prod.yaml': prodWith((r) => (r.name = 'production')) }),
    message: 'prod.yaml: name: must equal the file name "prod", got "production"',
  },
  {
    name: 'rejects a file that misses a required field',
    files: () => ({ 'prod.yaml': prodWith((r) => delete r.region) }),
    message: 'prod.yaml: region: is required (string)',
  },
  {
    name: 'rejects an empty file',
    files: () => ({ 'prod.yaml': '' }),
    message: 'prod.yaml: must be a YAML mapping of the environment fields',
  },
];

describe('bad configuration', () => {
  it.each(cases)('$name', ({ files, message }) => {
    const result = synthWith(files());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('nothing was written');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.after).toEqual(result.before);
  });

  it('reports every problem of a file, one line each', () => {
    const result = synthWith({
      'prod.yaml': prodWith((r) => {
        r.region = 'canada';
        r.apps[0].image = 'web';
        r.tags = 'owner';
      }),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('region: must be an AWS region such as ca-central-1, got "canada"');
    expect(result.stderr).toContain('apps[0].image: must be pinned to a tag');
    expect(result.stderr).toContain('tags: must be a record, got "owner"');
    expect(result.stderr).toContain('3 configuration problem(s)');
  });

  it('rejects a config folder that does not exist', () => {
    const dist = tempDir('dist');
    const result = runCli(['synth', '--config', join(dist, 'nope'), '--dist', dist]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nope: does not exist/);
    expect(snapshotTree(dist)).toEqual({});
  });

  it('rejects an --env that names no environment file', () => {
    const result = runCli([
      'synth',
      '--config',
      configDir({ 'prod.yaml': fixtureText('prod') }),
      '--env',
      'staging',
      '--dist',
      tempDir('dist'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--env staging: no such environment; available: prod');
  });

  it('rejects an unknown command-line option with the usage', () => {
    const result = runCli([
      'synth',
      '--config',
      FIXTURE_CONFIG,
      '--dist',
      tempDir('dist'),
      '--colour',
      'blue',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
    expect(result.stderr).toContain('usage: npm run <synth|check>');
  });
});

/** Runs synth on a config folder (or file) prepared by `setup`, into a dist that already holds files. */
function synthIn(setup: (config: string) => string | undefined) {
  const config = configDir({});
  const target = setup(config) ?? config;
  const dist = tempDir('dist');
  writeTree(dist, { 'prod-blue/apps-web/namespace_web.yaml': 'kept: true\n', 'README.md': 'hand written\n' });
  const before = snapshotTree(dist);
  const result = runCli(['synth', '--config', target, '--dist', dist, '--tf-out', tempDir('tfout')]);
  return { ...result, before, after: snapshotTree(dist), config };
}

/** The fixture prod environment renamed, with its cluster colors renamed (live and app placements follow). */
function environment(name: string, colors: { blue: string; green: string }): string {
  return prodWith((raw) => {
    raw.name = name;
    const rename = (color: string) => colors[color as 'blue' | 'green'] ?? color;
    raw.live = rename(raw.live);
    for (const cluster of raw.clusters) cluster.color = rename(cluster.color);
    for (const item of [...raw.apps, ...(raw.charts ?? [])]) {
      if (item.clusters) item.clusters = item.clusters.map(rename);
    }
  });
}

const write = (config: string, files: Record<string, string>): undefined => {
  writeTree(config, files);
};

const folderCases: {
  name: string;
  setup: (config: string) => string | undefined;
  message: (config: string) => string;
}[] = [
  {
    name: 'rejects the same environment written as dev.yaml and dev.yml',
    setup: (config) => write(config, { 'dev.yaml': fixtureText('dev'), 'dev.yml': fixtureText('dev') }),
    message: (config) =>
      `${join(config, 'dev.yaml')}, ${join(config, 'dev.yml')}: both define environment dev (the file name is the environment name): keep one`,
  },
  {
    name: 'rejects a directory named like an environment file',
    setup: (config) => {
      write(config, { 'prod.yaml': fixtureText('prod') });
      mkdirSync(join(config, 'x.yaml'));
      return undefined;
    },
    message: (config) => `${join(config, 'x.yaml')}: is a directory, not an environment file`,
  },
  {
    name: 'rejects a file that cannot be read',
    // Tests run as root, which reads any file whatever its mode; reading /proc/self/mem at offset 0
    // fails with EIO for every user.
    setup: (config) => {
      write(config, { 'prod.yaml': fixtureText('prod') });
      symlinkSync('/proc/self/mem', join(config, 'dev.yaml'));
      return undefined;
    },
    message: (config) => `${join(config, 'dev.yaml')}: cannot be read (EIO: i/o error, read)`,
  },
  {
    name: 'rejects a broken symbolic link',
    setup: (config) => {
      write(config, { 'prod.yaml': fixtureText('prod') });
      symlinkSync(join(config, 'gone.yaml'), join(config, 'dev.yaml'));
      return undefined;
    },
    message: (config) => `${join(config, 'dev.yaml')}: is a broken symbolic link: its target does not exist`,
  },
  {
    name: 'rejects a symbolic link loop',
    setup: (config) => {
      symlinkSync(join(config, 'b.yaml'), join(config, 'a.yaml'));
      symlinkSync(join(config, 'a.yaml'), join(config, 'b.yaml'));
      return undefined;
    },
    message: (config) => `${join(config, 'a.yaml')}: is a symbolic link loop`,
  },
  {
    name: 'rejects a FIFO named like an environment file without blocking on it',
    setup: (config) => {
      write(config, { 'prod.yaml': fixtureText('prod') });
      expect(spawnSync('mkfifo', [join(config, 'dev.yaml')]).status).toBe(0);
      return undefined;
    },
    message: (config) => `${join(config, 'dev.yaml')}: is not a regular file (a FIFO, socket or device)`,
  },
  {
    name: 'rejects a file name that differs from the environment name only by case',
    setup: (config) => write(config, { 'prod.yaml': fixtureText('prod'), 'Prod.yaml': fixtureText('prod') }),
    message: (config) =>
      `${join(config, 'Prod.yaml')}: the file name is the environment name, which must start with a letter and use only lowercase letters, digits and - (it becomes EKS cluster, IAM role and DNS names): rename it prod.yaml (prod.yaml already exists: keep one)`,
  },
  {
    name: 'rejects an environment file extension in capitals',
    setup: (config) => write(config, { 'prod.YAML': fixtureText('prod') }),
    message: (config) => `${join(config, 'prod.YAML')}: the file name is the environment name`,
  },
  {
    name: 'rejects a name field that differs from the file name only by case, saying why',
    setup: (config) =>
      write(config, { 'prod.yaml': fixtureText('prod').replace('name: prod', 'name: Prod') }),
    message: (config) =>
      `${join(config, 'prod.yaml')}: name: must equal the file name "prod" exactly: environment names are lowercase because they become EKS cluster, IAM role and DNS names, got "Prod"`,
  },
  {
    name: 'rejects two environments that make the same Terraform stack name',
    setup: (config) =>
      write(config, {
        'eu.yaml': environment('eu', { blue: 'west-network', green: 'green' }),
        'eu-west.yaml': environment('eu-west', { blue: 'blue', green: 'green' }),
      }),
    message: (config) =>
      `${join(config, 'eu-west.yaml')}: name: makes Terraform stack eu-west-network, as ${join(config, 'eu.yaml')} (clusters[0].color) does: two environments would share dist/infra/eu-west-network.tf.json and its Terraform state; rename a color or an environment`,
  },
  {
    name: 'rejects two environments that make the same cluster name',
    setup: (config) =>
      write(config, {
        'eu.yaml': environment('eu', { blue: 'west-blue', green: 'green' }),
        'eu-west.yaml': environment('eu-west', { blue: 'blue', green: 'green' }),
      }),
    message: (config) =>
      `${join(config, 'eu-west.yaml')}: clusters[0].color: makes cluster eu-west-blue, as ${join(config, 'eu.yaml')} (clusters[0].color) does: two environments would share the EKS cluster, its IAM roles, dist/eu-west-blue/ and its Terraform stacks; rename a color or an environment`,
  },
  {
    name: 'rejects a --config file that is not a YAML file',
    setup: (config) => {
      write(config, { 'prod.json': JSON.stringify(parse(fixtureText('prod'))) });
      return join(config, 'prod.json');
    },
    message: (config) =>
      `${join(config, 'prod.json')}: is not an environment file: --config takes a folder or a file named <environment>.yaml or <environment>.yml, got extension ".json"`,
  },
  {
    name: 'rejects a --config file that is a broken symbolic link',
    setup: (config) => {
      symlinkSync(join(config, 'gone.yaml'), join(config, 'prod.yaml'));
      return join(config, 'prod.yaml');
    },
    message: (config) => `${join(config, 'prod.yaml')}: is a broken symbolic link: its target does not exist`,
  },
  {
    name: 'rejects YAML aliases that expand without bound (billion laughs)',
    setup: (config) => {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        const next = String.fromCharCode(97 + i);
        levels.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`);
      }
      write(config, {
        'prod.yaml': `${fixtureText('prod')}\nx-lol:\n${levels.map((l) => `  ${l}`).join('\n')}\n`,
      });
      return undefined;
    },
    message: (config) =>
      `${join(config, 'prod.yaml')}: its YAML aliases expand to more than 10000 copies (an anchor used that many times, or aliases nested inside anchored values that multiply): refused as a resource exhaustion ("billion laughs") document`,
  },
];

describe('folder and file mistakes', () => {
  it.each(folderCases)('$name', ({ setup, message }) => {
    const result = synthIn(setup);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message(result.config));
    expect(result.stderr).toContain('nothing was written');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.after).toEqual(result.before);
  });

  it('reports every folder mistake at once, one line each', () => {
    const result = synthIn((config) => {
      write(config, { 'dev.yaml': fixtureText('dev'), 'dev.yml': fixtureText('dev') });
      mkdirSync(join(config, 'x.yaml'));
      symlinkSync(join(config, 'gone.yaml'), join(config, 'y.yaml'));
      return undefined;
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('x.yaml: is a directory');
    expect(result.stderr).toContain('y.yaml: is a broken symbolic link');
    expect(result.stderr).toContain('dev.yml: both define environment dev');
    expect(result.stderr).toContain('3 configuration problem(s)');
  });

  it.each(['--dist', '--tf-out'])('rejects a %s that is a file', (option) => {
    const file = join(tempDir('out'), 'file');
    writeFileSync(file, 'not a folder\n');
    const dist = tempDir('dist');
    const args = {
      '--config': configDir({ 'prod.yaml': fixtureText('prod') }),
      '--dist': dist,
      '--tf-out': tempDir('tfout'),
      [option]: file,
    };
    const result = runCli(['synth', ...Object.entries(args).flat()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${option} ${file}: is not a directory`);
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n');
    expect(snapshotTree(dist)).toEqual({});
  });

  it('prints one line and no stack trace for an unexpected error, unless EKS_PLATFORM_DEBUG is set', () => {
    const config = configDir({ 'prod.yaml': fixtureText('prod') });
    // A folder where the writer expects one of its files: no rule anticipates it.
    const dist = tempDir('dist');
    mkdirSync(join(dist, 'prod-blue/apps-web/namespace_web.yaml'), { recursive: true });
    const args = ['synth', '--config', config, '--dist', dist, '--tf-out', tempDir('tfout')];
    const quiet = runProcess(args);
    expect(quiet.code).toBe(1);
    // The progress line of a slow render (under load) aside, one line.
    const lines = quiet.stderr
      .trim()
      .split('\n')
      .filter((line) => !/^synth: \d+\.\d s: /.test(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^synth: internal error: EISDIR.* \(set EKS_PLATFORM_DEBUG=1 for the stack trace\)/,
    );
    const debug = runProcess(args, { env: { EKS_PLATFORM_DEBUG: '1' } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
