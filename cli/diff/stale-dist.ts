/**
 * Whether dist/ is what the config renders to: a report on a stale dist/ would review a change
 * that is not the one in the config (an edit of `live:` without `npm run synth` reads as "no
 * changes"). The same render and comparison as `npm run check`, nothing written to dist/.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from '../../platform/config-files';
import { ownedFiles, staleLines } from '../dist-freshness';
import { planDist } from '../dist-writer';
import { render } from '../render';

/**
 * One line per file of dist/ that differs from the render of `configPath`; empty when fresh. A
 * `configPath` naming one file checks that environment's files only, as `check --config <file>` does.
 */
export function staleDistFiles(configPath: string, distDir: string): string[] {
  const environments = loadEnvironments(configPath, { fs, cwd: process.cwd() });
  const only = fs.statSync(configPath).isDirectory() ? undefined : environments.map((e) => e.config.name);
  const tfOut = fs.mkdtempSync(join(tmpdir(), 'eks-platform-diff-'));
  try {
    const rendering = render(
      environments.map((e) => e.config),
      { tfOutDir: tfOut },
    );
    return staleLines(planDist(distDir, ownedFiles(rendering), only));
  } finally {
    fs.rmSync(tfOut, { recursive: true, force: true });
  }
}
