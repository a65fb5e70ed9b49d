/**
 * Finds and validates the environment files a command names (a folder of `<environment>.yaml`
 * files, or one file), reporting every problem of every file at once: folder mistakes (the same
 * environment twice, a directory or a broken link where a file should be, an unreadable file,
 * a name that is not lowercase), each file's own problems, and names that two environments would
 * both produce (Terraform stacks, clusters: their dist/ files and Terraform state would collide).
 *
 * Why the file system is a parameter: the developers' guide lets only the entry points and cli/
 * read files, yet the CLI (`npm run synth`) and the cdktf/cdk8s entry points (`npx cdktf synth`,
 * `npx cdk8s synth`) must discover and validate the same files the same way, and infra/ and
 * manifests/ may import only platform/. So the rules live here, pure, and the callers hand in
 * the few `node:fs` functions they need (`node:fs` itself satisfies ConfigFileSystem). Tests pass
 * a file system whose reads fail with EACCES, which a test running as root cannot produce.
 */
import { ConfigError, type ConfigProblem, parseConfig } from './load';
import { clusterName, stackNames } from './names';
import type { PlatformConfig } from './schema';

/** What a file system entry is; node's `fs.Stats` has these methods. */
export interface FileKind {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** The file-reading functions the loader uses; `import * as fs from 'node:fs'` satisfies it. */
export interface ConfigFileSystem {
  /** Follows symbolic links; throws (ENOENT, ELOOP, …) like node's statSync. */
  statSync(path: string): FileKind;
  /** Does not follow symbolic links. */
  lstatSync(path: string): FileKind;
  readdirSync(path: string): string[];
  readFileSync(path: string, encoding: 'utf8'): string;
}

export interface LoadOptions {
  readonly fs: ConfigFileSystem;
  /** Only these environments (`--env`); every environment of the folder when empty. */
  readonly only?: readonly string[];
  /** Paths are shown relative to this folder (the working directory) when they are below it. */
  readonly cwd?: string;
}

export interface LoadedEnvironment {
  /** The file as shown to the user (relative to the working directory). */
  readonly file: string;
  readonly config: PlatformConfig;
}

/** Environment names become EKS cluster, IAM role, Terraform stack and DNS names: lowercase only. */
const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]*$/;
const EXTENSIONS = ['.yaml', '.yml'];

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot);
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

function displayer(cwd: string | undefined): (path: string) => string {
  if (cwd === undefined) return (path) => path;
  const prefix = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return (path) => (path.startsWith(prefix) ? path.slice(prefix.length) : path);
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** One line on why a path cannot be read, from the error node:fs raised. */
function unreadable(error: unknown): string {
  switch (codeOf(error)) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'EISDIR':
      return 'is a directory, not an environment file';
    case 'ELOOP':
      return 'is a symbolic link loop';
    case 'ENOTDIR':
      return 'is below something that is not a directory';
    default: {
      // e.g. EIO from a failing disk or /proc/self/mem: node's message names the code and the call.
      const message = (error as Error | undefined)?.message?.split('\n')[0] ?? String(error);
      return `cannot be read (${message})`;
    }
  }
}

/**
 * What is wrong with a path that should be an environment file, or undefined. A symbolic link is
 * followed; a FIFO or a device is refused before it is opened (reading a FIFO would block).
 */
function fileProblem(fs: ConfigFileSystem, path: string): string | undefined {
  let link: FileKind;
  try {
    link = fs.lstatSync(path);
  } catch (error) {
    return unreadable(error);
  }
  let target: FileKind;
  try {
    target = fs.statSync(path);
  } catch (error) {
    if (link.isSymbolicLink()) {
      const code = codeOf(error);
      if (code === 'ENOENT') return 'is a broken symbolic link: its target does not exist';
      if (code === 'ELOOP') return 'is a symbolic link loop';
    }
    return unreadable(error);
  }
  if (target.isDirectory()) return 'is a directory, not an environment file';
  if (!target.isFile()) return 'is not a regular file (a FIFO, socket or device)';
  return undefined;
}

export interface Candidate {
  readonly path: string;
  readonly environment: string;
}

/**
 * The environment files of a folder (every `*.yaml` / `*.yml`, sorted by name), or the one file
 * named, each with its environment (the base name). Folder mistakes are thrown together.
 */
export function environmentFiles(
  configPath: string,
  fs: ConfigFileSystem,
  display: (path: string) => string = (p) => p,
): Candidate[] {
  let kind: FileKind;
  try {
    kind = fs.statSync(configPath);
  } catch (error) {
    const broken = codeOf(error) === 'ENOENT' && isSymbolicLink(fs, configPath);
    throw new ConfigError([
      {
        file: display(configPath),
        path: '',
        message: broken ? 'is a broken symbolic link: its target does not exist' : unreadable(error),
      },
    ]);
  }
  if (!kind.isDirectory()) return [singleFile(configPath, fs, display)];
  let names: string[];
  try {
    names = fs.readdirSync(configPath);
  } catch (error) {
    throw new ConfigError([{ file: display(configPath), path: '', message: unreadable(error) }]);
  }
  // Extensions in any case are looked at, so that PROD.YAML is refused rather than ignored.
  const yamlNames = names.filter((name) => EXTENSIONS.includes(extensionOf(name).toLowerCase())).sort();
  if (yamlNames.length === 0) {
    throw new ConfigError([
      { file: display(configPath), path: '', message: 'holds no environment file (<environment>.yaml)' },
    ]);
  }
  const problems: ConfigProblem[] = [];
  const candidates: Candidate[] = [];
  for (const name of yamlNames) {
    const path = joinPath(configPath, name);
    const problem = nameProblem(name, yamlNames) ?? fileProblem(fs, path);
    if (problem !== undefined) problems.push({ file: display(path), path: '', message: problem });
    else candidates.push({ path, environment: name.slice(0, -extensionOf(name).length) });
  }
  // prod.yaml and prod.yml: two files, one environment (and one dist/ and Terraform state).
  const byEnvironment = new Map<string, string[]>();
  for (const c of candidates) {
    byEnvironment.set(c.environment, [...(byEnvironment.get(c.environment) ?? []), c.path]);
  }
  for (const [environment, paths] of byEnvironment) {
    if (paths.length > 1) {
      problems.push({
        file: paths.map(display).join(', '),
        path: '',
        message: `both define environment ${environment} (the file name is the environment name): keep one`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return candidates;
}

function isSymbolicLink(fs: ConfigFileSystem, path: string): boolean {
  try {
    return fs.lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function singleFile(path: string, fs: ConfigFileSystem, display: (path: string) => string): Candidate {
  const name = baseName(path);
  const extension = extensionOf(name);
  const problem = EXTENSIONS.includes(extension)
    ? (nameProblem(name, [name]) ?? fileProblem(fs, path))
    : `is not an environment file: --config takes a folder or a file named <environment>.yaml or <environment>.yml, got extension ${JSON.stringify(extension)}`;
  if (problem !== undefined) throw new ConfigError([{ file: display(path), path: '', message: problem }]);
  return { path, environment: name.slice(0, -extension.length) };
}

/** The file name is the environment name; environment names are lowercase. */
function nameProblem(name: string, siblings: readonly string[]): string | undefined {
  const extension = extensionOf(name);
  const environment = name.slice(0, -extension.length);
  const rule =
    'the file name is the environment name, which must start with a letter and use only lowercase letters, digits and - (it becomes EKS cluster, IAM role and DNS names)';
  if (!EXTENSIONS.includes(extension)) {
    return `${rule}; the extension must be .yaml or .yml in lowercase: rename it ${environment.toLowerCase()}${extension.toLowerCase()}`;
  }
  if (ENVIRONMENT_NAME.test(environment)) return undefined;
  const lower = environment.toLowerCase();
  if (ENVIRONMENT_NAME.test(lower)) {
    const twin = siblings.find((s) => s !== name && s.slice(0, -extensionOf(s).length) === lower);
    return `${rule}: rename it ${lower}${extension}${twin === undefined ? '' : ` (${twin} already exists: keep one)`}`;
  }
  return rule;
}

/** Reads and validates the environments of a folder or a file. */
export function loadEnvironments(configPath: string, options: LoadOptions): LoadedEnvironment[] {
  const { fs, only = [] } = options;
  const display = displayer(options.cwd);
  const candidates = environmentFiles(configPath, fs, display);
  const available = candidates.map((c) => c.environment);
  const unknown = only.filter((env) => !available.includes(env));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((env) => {
        const lower = available.includes(env.toLowerCase())
          ? ` (environment names are lowercase: --env ${env.toLowerCase()})`
          : '';
        return {
          file: display(configPath),
          path: '',
          message: `--env ${env}: no such environment${lower}; available: ${available.join(', ')}`,
        };
      }),
    );
  }
  const problems: ConfigProblem[] = [];
  const loaded: LoadedEnvironment[] = [];
  for (const { path, environment } of candidates) {
    if (only.length > 0 && !only.includes(environment)) continue;
    const file = display(path);
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (error) {
      // Checked a moment ago, yet unreadable: permissions, an I/O error, or replaced meanwhile.
      problems.push({ file, path: '', message: unreadable(error) });
      continue;
    }
    try {
      loaded.push({ file, config: parseConfig(text, file, environment) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const collisions = nameCollisions(loaded);
  if (collisions.length > 0) throw new ConfigError(collisions);
  return loaded;
}

interface NameUse {
  readonly file: string;
  /** The field that makes the name, e.g. `clusters[0].color`. */
  readonly field: string;
}

/**
 * Names two environments would both produce. Environment `eu` with color `west-blue` and
 * environment `eu-west` with color `blue` both make the cluster eu-west-blue; `eu` with color
 * `west-network` and `eu-west` both make the Terraform stack eu-west-network. They would share
 * dist/ files, Terraform state and AWS names (the EKS cluster, its IAM roles). Within one
 * environment the schema already refuses such colors.
 */
export function nameCollisions(environments: readonly LoadedEnvironment[]): ConfigProblem[] {
  const clusters = new Map<string, NameUse[]>();
  const stacks = new Map<string, NameUse[]>();
  const add = (map: Map<string, NameUse[]>, name: string, use: NameUse) =>
    map.set(name, [...(map.get(name) ?? []), use]);
  for (const { file, config } of environments) {
    add(stacks, stackNames.network(config), { file, field: 'name' });
    add(stacks, stackNames.liveDns(config), { file, field: 'name' });
    config.clusters.forEach((cluster, i) => {
      const use = { file, field: `clusters[${i}].color` };
      add(clusters, clusterName(config, cluster), use);
      add(stacks, stackNames.cluster(config, cluster), use);
      add(stacks, stackNames.bootstrap(config, cluster), use);
    });
  }
  const problems: ConfigProblem[] = [];
  const shared = (uses: readonly NameUse[]) => new Set(uses.map((u) => u.file)).size > 1;
  const report = (uses: readonly NameUse[], subject: string, consequence: string) => {
    const [first, ...others] = uses as [NameUse, ...NameUse[]];
    const also = others.map((o) => `${o.file} (${o.field})`).join(' and ');
    problems.push({
      file: first.file,
      path: first.field,
      message: `makes ${subject}, as ${also} does: ${consequence}; rename a color or an environment`,
    });
  };
  const collidingClusters = new Set<string>();
  for (const [name, uses] of clusters) {
    if (!shared(uses)) continue;
    collidingClusters.add(name);
    report(
      uses,
      `cluster ${name}`,
      `two environments would share the EKS cluster, its IAM roles, dist/${name}/ and its Terraform stacks`,
    );
  }
  for (const [name, uses] of stacks) {
    // A cluster reported above implies its own stack and bootstrap stack.
    if (!shared(uses) || collidingClusters.has(name.replace(/-bootstrap$/, ''))) continue;
    report(
      uses,
      `Terraform stack ${name}`,
      `two environments would share dist/infra/${name}.tf.json and its Terraform state`,
    );
  }
  return problems;
}
