/**
 * Whether dist/ is what the config renders to: a report on a stale dist/ would review a change
 * that is not the one in the config (an edit of `live:` without `npm run synth` reads as "no
 * changes"). The same render and comparison as `npm run check`, nothing written to dist/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from '../config-files';
import { collectDist, planDist } from '../dist-writer';
import { render } from '../render';

/** One line per file of dist/ that differs from the render of `configPath`; empty when fresh. */
export function staleDistFiles(configPath: string, distDir: string): string[] {
  const environments = loadEnvironments(configPath);
  const tfOut = mkdtempSync(join(tmpdir(), 'eks-platform-diff-'));
  try {
    const rendering = render(
      environments.map((e) => e.config),
      { tfOutDir: tfOut },
    );
    const plan = planDist(distDir, collectDist(rendering.files));
    return [
      ...plan.added.map((p) => `dist/${p}: missing`),
      ...plan.changed.map((p) => `dist/${p}: differs from the render`),
      ...plan.removed.map((p) => `dist/${p}: no longer generated`),
    ];
  } finally {
    rmSync(tfOut, { recursive: true, force: true });
  }
}
