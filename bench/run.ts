/**
 * `npm run bench` (DESIGN §9, §10): renders the shipped example, generated platforms of 1, 10 and
 * 50 clusters and two object-heavy platforms (2,000 apps on one cluster, 1,000 apps on two) as
 * whole processes (`npm run synth`), checks the object-heavy ones (`npm run check`), runs the
 * example and the 1-cluster platform through the two CLIs a user would otherwise run
 * (`npx cdktf synth` then `npx cdk8s synth`), and prints one table.
 *
 * Options: --sizes example,1,10,50,apps2000,apps1000x2
 *                                    platforms to render: `example` (the shipped config/), a number
 *                                    of clusters, or `apps<N>[x<C>]`: N apps on C clusters (1 or 2)
 *          --check-sizes apps2000,apps1000x2
 *                                    platforms also checked (`npm run check`; `none` to skip)
 *          --floor-sizes apps2000,apps1000x2
 *                                    platforms whose rendered files are also written by a plain
 *                                    Node loop into an empty folder (bench/file-creation-floor.cjs):
 *                                    the file system's share of a first render (`none` to skip)
 *          --runs 5                  measured runs per platform (median reported)
 *          --cli-sizes example,1     platforms also run through the two CLIs (`none` to skip)
 *          --cli-runs 3              measured runs of the CLIs (they are slow)
 *          --experiments             also time ways to start the render faster (see experiments.ts)
 *          --profile <size>          also profile one render and one check of that platform
                                    (node --cpu-prof)
 *          --keep                    keep the temporary folder
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnvironments } from '../platform/config-files';
import { budgetVerdicts } from './budget';
import { runExperiments } from './experiments';
import {
  type Command,
  type Measurement,
  measureProcess,
  measureRuns,
  median,
  peakMemoryMethod,
} from './measure-process';
import { generateAppPlatform, generatePlatform } from './platform-generator';
import { profileCommand } from './profile-render';
import { formatTable, type Row } from './results-table';

const ROOT = resolve(__dirname, '..');
const EXAMPLE = 'example';
/** `apps2000`: 2,000 apps on one cluster; `apps1000x2`: 1,000 apps on two. */
const APPS_SIZE = /^apps([1-9]\d*)(?:x([12]))?$/;

/** The CLIs must never reach the network (there may be none): no version checks, no telemetry. */
const OFFLINE_ENV = {
  CHECKPOINT_DISABLE: '1',
  DISABLE_VERSION_CHECK: '1',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
} as const;

interface Platform {
  readonly label: string;
  readonly configDir: string;
  readonly clusters: number;
  readonly environments: number;
  /** Apps of an object-heavy platform; undefined for the example and cluster-count platforms. */
  readonly apps: number | undefined;
  readonly work: string;
}

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      sizes: { type: 'string', default: `${EXAMPLE},1,10,50,apps2000,apps1000x2` },
      'check-sizes': { type: 'string', default: 'apps2000,apps1000x2' },
      'floor-sizes': { type: 'string', default: 'apps2000,apps1000x2' },
      runs: { type: 'string', default: '5' },
      'cli-sizes': { type: 'string', default: `${EXAMPLE},1` },
      'cli-runs': { type: 'string', default: '3' },
      experiments: { type: 'boolean', default: false },
      profile: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const sizes = (text: string) =>
    text === 'none'
      ? []
      : text.split(',').map((s) => {
          const size = s.trim();
          if (size !== EXAMPLE && !/^[1-9]\d*$/.test(size) && !APPS_SIZE.test(size)) {
            throw new Error(
              `--sizes: expected "${EXAMPLE}", a number of clusters >= 1 or apps<N>[x<1|2>], got "${size}"`,
            );
          }
          return size;
        });
  const count = (name: string, text: string) => {
    if (!/^[1-9]\d*$/.test(text)) throw new Error(`--${name}: expected a whole number >= 1, got "${text}"`);
    return Number(text);
  };
  return {
    sizes: sizes(values.sizes),
    checkSizes: sizes(values['check-sizes']),
    floorSizes: sizes(values['floor-sizes']),
    runs: count('runs', values.runs),
    cliSizes: sizes(values['cli-sizes']),
    cliRuns: count('cli-runs', values['cli-runs']),
    experiments: values.experiments,
    profile: values.profile === undefined ? undefined : sizes(values.profile)[0],
    keep: values.keep,
  };
}

function preparePlatform(size: string, work: string): Platform {
  const apps = APPS_SIZE.exec(size);
  const dir = join(work, size === EXAMPLE || apps ? size : `clusters-${size}`);
  mkdirSync(dir, { recursive: true });
  let configDir = join(ROOT, 'config');
  if (size !== EXAMPLE) {
    configDir = join(dir, 'config');
    mkdirSync(configDir, { recursive: true });
    const template = readFileSync(join(ROOT, 'config', 'prod.yaml'), 'utf8');
    const files = apps
      ? generateAppPlatform(template, { apps: Number(apps[1]), clusters: Number(apps[2] ?? 1) })
      : generatePlatform(template, Number(size));
    for (const file of files) writeFileSync(join(configDir, file.name), file.text);
  }
  // Validated here too, so a generated platform the schema rejects stops the bench with the reason.
  const configs = loadEnvironments(configDir, { fs }).map((e) => e.config);
  const clusters = configs.reduce((sum, c) => sum + c.clusters.length, 0);
  const appCount = apps ? configs.reduce((sum, c) => sum + c.apps.length, 0) : undefined;
  return {
    label:
      size === EXAMPLE
        ? 'example (config/)'
        : appCount !== undefined
          ? `generated ${appCount.toLocaleString('en-US')} apps on ${clusters} cluster(s)`
          : `generated ${size}`,
    configDir,
    clusters,
    environments: configs.length,
    apps: appCount,
    work: dir,
  };
}

function cliCommand(platform: Platform, command: 'synth' | 'check'): Command {
  return {
    command: 'npm',
    args: [
      'run',
      '--silent',
      command,
      '--',
      '--config',
      platform.configDir,
      '--dist',
      join(platform.work, 'dist'),
      '--tf-out',
      join(platform.work, 'tf-out'),
    ],
    cwd: ROOT,
    env: OFFLINE_ENV,
  };
}

let setAside = 0;

/**
 * The render writes every file each run, as the CLIs do: each run renders into an empty dist/.
 * The previous dist/ is moved aside, not deleted, and removed with the work folder after every
 * measurement: on this machine's ext4, creating files right after deleting ~15,000 others costs
 * 5 to 15 s more kernel time (measured: 15,000 files of 4 kB in 300 folders take 0.6-1.4 s of
 * system CPU in a fresh folder, 4-12 s just after `rm -r` of the same tree), which would measure
 * the file system's deferred deletion work, not the render.
 */
function measureRender(platform: Platform): Measurement {
  const dist = join(platform.work, 'dist');
  if (existsSync(dist)) renameSync(dist, join(platform.work, `dist-previous-${++setAside}`));
  return measureProcess(cliCommand(platform, 'synth'));
}

/**
 * `npm run check` on the dist/ the last render wrote: it renders again in memory, compares with
 * dist/ and runs every rule. It must pass (exit 0): a generated platform breaking a rule stops the
 * bench with the reason.
 */
function measureCheck(platform: Platform): Measurement {
  return measureProcess(cliCommand(platform, 'check'));
}

interface FloorMeasurement {
  readonly files: number;
  readonly folders: number;
  readonly wallMs: number;
  readonly userMs: number;
  readonly systemMs: number;
}

/**
 * The files of the last render written again by a plain Node loop into a new empty folder,
 * `runs` times (median): what creating them costs on this machine without any render. The copies
 * stay until the work folder is deleted, like the set-aside dist/ folders.
 */
function measureFileCreationFloor(platform: Platform, runs: number): FloorMeasurement {
  const measured = Array.from({ length: runs }, () => {
    const target = join(platform.work, `file-floor-${++setAside}`);
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'bench', 'file-creation-floor.cjs'), join(platform.work, 'dist'), target],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`file-creation-floor.cjs failed:\n${result.stderr}`);
    return JSON.parse(result.stdout) as FloorMeasurement;
  });
  const first = measured[0];
  return {
    files: first?.files ?? 0,
    folders: first?.folders ?? 0,
    wallMs: median(measured.map((m) => m.wallMs)),
    userMs: median(measured.map((m) => m.userMs)),
    systemMs: median(measured.map((m) => m.systemMs)),
  };
}

/** `npx cdktf synth` then `npx cdk8s synth`, in the repository, reading the platform's config. */
function measureClis(platform: Platform): Measurement {
  const out = join(platform.work, 'cli');
  rmSync(out, { recursive: true, force: true });
  // cdktf's App creates its outdir without parents.
  mkdirSync(out, { recursive: true });
  const env = { ...OFFLINE_ENV, PLATFORM_CONFIG: platform.configDir };
  const cdktf = measureProcess({
    command: 'npx',
    args: ['cdktf', 'synth', '--output', join(out, 'cdktf.out')],
    cwd: ROOT,
    env,
  });
  const cdk8s = measureProcess({
    command: 'npx',
    args: ['cdk8s', 'synth', '--output', join(out, 'cdk8s.out'), '--check-upgrade', 'false'],
    cwd: ROOT,
    env,
  });
  return {
    wallMs: cdktf.wallMs + cdk8s.wallMs,
    cpuMs: cdktf.cpuMs + cdk8s.cpuMs,
    peakMiB: Math.max(cdktf.peakMiB, cdk8s.peakMiB),
    stdout: cdktf.stdout + cdk8s.stdout,
  };
}

/** What the render produced, from its summary line: `N stacks (R resources), M Kubernetes objects`. */
function renderedWork(stdout: string): { stacks: number; objects: number } | undefined {
  const match = /(\d+) stacks \(\d+ resources\), (\d+) Kubernetes objects/.exec(stdout);
  return match ? { stacks: Number(match[1]), objects: Number(match[2]) } : undefined;
}

/** What the CLIs produced: stack folders of cdktf.out and YAML documents of cdk8s.out. */
function cliWork(platform: Platform): { stacks: number; objects: number } {
  const out = join(platform.work, 'cli');
  const stacksDir = join(out, 'cdktf.out', 'stacks');
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir).length : 0;
  const yamlFiles = existsSync(join(out, 'cdk8s.out'))
    ? (readdirSync(join(out, 'cdk8s.out'), { recursive: true }) as string[]).filter((f) =>
        f.endsWith('.yaml'),
      )
    : [];
  const objects = yamlFiles.reduce(
    (sum, f) =>
      sum +
      readFileSync(join(out, 'cdk8s.out', f), 'utf8')
        .split(/^---$/m)
        .filter((doc) => /^kind:/m.test(doc)).length,
    0,
  );
  return { stacks, objects };
}

/** Other work on the machine skews wall times: the 1-minute load average is printed with them. */
function load(): string {
  return `load average ${loadavg()[0]?.toFixed(2)}`;
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const tsx = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'tsx', 'package.json'), 'utf8')).version;
  return (
    `machine: ${cpus().length} CPU(s) (${cpu}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ` +
    `Node ${process.version}, tsx ${tsx}, ${process.platform}/${process.arch}; ${load()}`
  );
}

function main(): number {
  const opts = options();
  console.log(machine());
  console.log(`peak memory: ${peakMemoryMethod()}`);
  console.log(
    `render: \`npm run synth -- --config <dir> --dist <tmp> --tf-out <tmp>\`, median of ${opts.runs} run(s) after one warm-up; each run into an empty dist/ (the previous one moved aside, deleted at the end)`,
  );
  if (opts.checkSizes.length > 0) {
    console.log(
      `check: \`npm run check\` with the same options on the dist/ the render wrote, median of ${opts.runs} run(s) after one warm-up`,
    );
  }
  const missing = ['infra/main.ts', 'manifests/main.ts'].filter((f) => !existsSync(join(ROOT, f)));
  const cliSizes = missing.length > 0 ? [] : opts.cliSizes;
  if (missing.length > 0) console.log(`CLIs: skipped, ${missing.join(' and ')} missing`);
  else if (cliSizes.length > 0) {
    console.log(
      `CLIs: \`npx cdktf synth --output <tmp>\` then \`npx cdk8s synth --output <tmp>\` with PLATFORM_CONFIG=<dir>, ` +
        `median of ${opts.cliRuns} run(s) after one warm-up`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'eks-platform-bench-'));
  const rows: Row[] = [];
  const warnings: string[] = [];
  const floors: string[] = [];
  try {
    for (const size of opts.sizes) {
      const platform = preparePlatform(size, work);
      process.stderr.write(`bench: ${platform.label}: render x${opts.runs}...`);
      const render = measureRuns(opts.runs, () => measureRender(platform));
      const produced = renderedWork(render.stdout);
      let check: ReturnType<typeof measureRuns> | undefined;
      if (opts.checkSizes.includes(size)) {
        process.stderr.write(` check x${opts.runs}...`);
        check = measureRuns(opts.runs, () => measureCheck(platform));
      }
      if (opts.floorSizes.includes(size)) {
        process.stderr.write(` file creation x${opts.runs}...`);
        const floor = measureFileCreationFloor(platform, opts.runs);
        const s = (ms: number) => (ms / 1000).toFixed(2);
        floors.push(
          `${platform.label}: ${floor.files} files in ${floor.folders} folders written into an empty folder by a plain ` +
            `Node loop: ${s(floor.wallMs)} s wall, ${s(floor.userMs + floor.systemMs)} s CPU of which ${s(floor.systemMs)} s ` +
            `system (median of ${opts.runs})`,
        );
      }
      let cli: ReturnType<typeof measureRuns> | undefined;
      if (cliSizes.includes(size)) {
        process.stderr.write(` CLIs x${opts.cliRuns}...`);
        cli = measureRuns(opts.cliRuns, () => measureClis(platform));
        const byClis = cliWork(platform);
        if (produced && (byClis.stacks !== produced.stacks || byClis.objects !== produced.objects)) {
          warnings.push(
            `${platform.label}: the CLIs produced ${byClis.stacks} stacks and ${byClis.objects} objects, ` +
              `the render ${produced.stacks} and ${produced.objects}: not the same work`,
          );
        }
      }
      process.stderr.write(' done\n');
      rows.push({
        label: platform.label,
        clusters: platform.clusters,
        environments: platform.environments,
        apps: platform.apps,
        stacks: produced?.stacks,
        objects: produced?.objects,
        render,
        check,
        cli,
      });
    }
    console.log('');
    console.log(formatTable(rows));
    for (const warning of warnings) console.log(`warning: ${warning}`);
    console.log('');
    for (const line of budgetVerdicts(rows)) console.log(`budget: ${line}`);
    for (const line of floors) console.log(`file creation alone: ${line}`);
    console.log(`after the table: ${load()}`);
    if (opts.profile !== undefined) {
      const platform = preparePlatform(opts.profile, work);
      console.log('');
      console.log(`profile of ${platform.label}:`);
      const profile = join(work, 'profile');
      console.log(profileCommand(ROOT, platform.configDir, profile, 'synth'));
      console.log('');
      // On the dist/ the profiled render wrote, so that the check passes.
      console.log(profileCommand(ROOT, platform.configDir, profile, 'check'));
    }
    if (opts.experiments) {
      const example = preparePlatform(EXAMPLE, work);
      console.log('');
      console.log(
        runExperiments({
          root: ROOT,
          configDir: example.configDir,
          work: join(work, 'experiments'),
          runs: opts.runs,
        }),
      );
    }
  } finally {
    if (opts.keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`\nbench: ${(error as Error).message}`);
  process.exitCode = 1;
}
