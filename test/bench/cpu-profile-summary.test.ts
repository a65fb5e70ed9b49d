import { describe, expect, it } from 'vitest';
import { type CpuProfile, summarizeCpuProfile } from '../../bench/cpu-profile-summary';

const ROOT = '/repo';
const frame = (functionName: string, url: string) => ({ functionName, url });

/**
 * (root) -> main (project) -> render (project) -> toJson (cdktf) -> captureStackTrace (cdktf)
 *                          \-> Module._load (loader) -> top level of a package (zod)
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 7] },
    { id: 2, callFrame: frame('main', 'file:///repo/cli/main.ts'), children: [3, 5] },
    { id: 3, callFrame: frame('render', 'file:///repo/cli/render.ts'), children: [4] },
    { id: 4, callFrame: frame('toJson', 'file:///repo/node_modules/cdktf/lib/app.js'), children: [8] },
    { id: 5, callFrame: frame('Module._load', 'node:internal/modules/cjs/loader'), children: [6] },
    { id: 6, callFrame: frame('', 'file:///repo/node_modules/zod/index.js') },
    { id: 7, callFrame: frame('(garbage collector)', '') },
    {
      id: 8,
      callFrame: frame(
        'captureStackTrace',
        'file:///repo/node_modules/cdktf/lib/tokens/private/stack-trace.js',
      ),
    },
  ],
  samples: [3, 4, 8, 6, 6, 7],
  timeDeltas: [1000, 2000, 3000, 4000, 5000, 6000],
};

describe('the CPU profile summary', () => {
  const summary = summarizeCpuProfile(profile, ROOT);

  it('counts every sample once in the total', () => {
    expect(summary.totalMs).toBe(21);
  });

  it('counts a require inside a project function as loading, not as that function', () => {
    expect(summary.loadingMs).toBe(9);
    expect(new Map(summary.projectFunctions).get('main cli/main.ts')).toBe(6);
    expect(new Map(summary.projectFunctions).get('render cli/render.ts')).toBe(6);
  });

  it('attributes self time to packages and the project folder', () => {
    const self = new Map(summary.selfByPackage);
    expect(self.get('project: cli')).toBe(1);
    expect(self.get('cdktf')).toBe(5);
    expect(self.get('zod')).toBe(9);
    expect(summary.garbageCollectionMs).toBe(6);
  });

  it('reports the stack traces cdktf captures for its tokens', () => {
    expect(new Map(summary.notable).get('stack traces captured by cdktf tokens')).toBe(3);
  });
});
