/**
 * Whether dist/ is the render of the config: the comparison `check` fails on and `diff` refuses to
 * report on (a report on a stale dist/ would review a change that is not the one in the config).
 */
import type { DistPlan, OwnedDistFile } from './dist-writer';
import type { Rendering } from './render';

/** The rendered files, each with the environment that generated it (for dist/.generated). */
export function ownedFiles(rendering: Rendering): OwnedDistFile[] {
  const owner = new Map<string, string>();
  for (const o of rendering.objects) owner.set(o.path, o.environment);
  for (const s of rendering.stacks) owner.set(s.path, s.environment);
  return rendering.files.map((file) => {
    const environment = owner.get(file.path);
    if (environment === undefined) throw new Error(`rendered file ${file.path} has no environment`);
    return { ...file, environment };
  });
}

/** One line per file of dist/ that differs from the render; empty when dist/ is fresh. */
export function staleLines(plan: DistPlan): string[] {
  return [
    ...plan.added.map((p) => `dist/${p}: missing`),
    ...plan.changed.map((p) => `dist/${p}: differs from the render`),
    ...plan.removed.map((p) => `dist/${p}: no longer generated`),
  ];
}
