/**
 * Reads the environment files named on the command line (a folder of `*.yaml` or one file) and
 * validates them. Every problem of every file is reported at once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { ConfigError, type ConfigProblem, parseConfig } from '../platform/load';
import type { PlatformConfig } from '../platform/schema';

export interface LoadedEnvironment {
  /** The file as shown to the user (relative to the working directory). */
  readonly file: string;
  readonly config: PlatformConfig;
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

/** Environment files of a folder: every `*.yaml` / `*.yml`, sorted by name. */
export function environmentFiles(configPath: string): string[] {
  if (!existsSync(configPath)) {
    throw new ConfigError([{ file: display(configPath), path: '', message: 'does not exist' }]);
  }
  if (statSync(configPath).isFile()) return [configPath];
  const files = readdirSync(configPath)
    .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
    .sort()
    .map((name) => join(configPath, name));
  if (files.length === 0) {
    throw new ConfigError([
      { file: display(configPath), path: '', message: 'holds no environment file (*.yaml)' },
    ]);
  }
  return files;
}

export function loadEnvironments(configPath: string, only: readonly string[] = []): LoadedEnvironment[] {
  const files = environmentFiles(configPath);
  const available = files.map((file) => basename(file, extname(file)));
  const unknown = only.filter((env) => !available.includes(env));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((env) => ({
        file: display(configPath),
        path: '',
        message: `--env ${env}: no such environment; available: ${available.join(', ')}`,
      })),
    );
  }
  const problems: ConfigProblem[] = [];
  const loaded: LoadedEnvironment[] = [];
  for (const [i, file] of files.entries()) {
    const environment = available[i] ?? '';
    if (only.length > 0 && !only.includes(environment)) continue;
    try {
      loaded.push({
        file: display(file),
        config: parseConfig(readFileSync(file, 'utf8'), display(file), environment),
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded;
}

/**
 * For the entry points run by other tools (`npx cdktf synth`, `npx cdk8s synth`): the
 * environments of PLATFORM_CONFIG (a folder or a file; the repository's config/ by default), or
 * exit 2 with one line per problem.
 */
export function environmentsForTool(defaultConfigDir: string): PlatformConfig[] {
  try {
    return loadEnvironments(process.env.PLATFORM_CONFIG ?? defaultConfigDir).map((e) => e.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.message.split('\n')) console.error(problem);
    process.exit(2);
  }
}
