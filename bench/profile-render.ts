/**
 * `npm run bench -- --profile`: one render, then one check, of a config under `node --cpu-prof`,
 * summarized. The process is the one `npm run synth|check` runs (`node cli/run.cjs`: the cached
 * bundle and the start-up settings of cli/startup.cjs), so the profile shows what users wait for.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CpuProfile, formatCpuProfileSummary, summarizeCpuProfile } from './cpu-profile-summary';

export function profileCommand(
  root: string,
  configDir: string,
  work: string,
  command: 'synth' | 'check',
): string {
  const profiles = join(work, `cpu-profiles-${command}`);
  mkdirSync(profiles, { recursive: true });
  const args = [
    '--cpu-prof',
    `--cpu-prof-dir=${profiles}`,
    'cli/run.cjs',
    command,
    '--config',
    configDir,
    '--dist',
    join(work, 'dist'),
    '--tf-out',
    join(work, 'tf-out'),
  ];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`profiled ${command} failed:\n${result.stdout}${result.stderr}`);
  // A worker thread would write its own (mostly idle) profile: the render is the busiest one.
  const summaries = readdirSync(profiles)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summarizeCpuProfile(JSON.parse(readFileSync(join(profiles, f), 'utf8')) as CpuProfile, root))
    .sort((a, b) => b.totalMs - b.idleMs - (a.totalMs - a.idleMs));
  const [main] = summaries;
  if (!main) throw new Error(`node --cpu-prof wrote no profile into ${profiles}`);
  return `\`node --cpu-prof cli/run.cjs ${command}\`, ${formatCpuProfileSummary(main)}`;
}
