import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DistFile, INDEX_FILE, writeDist } from '../../cli/dist-writer';
import { snapshotTree, tempDir, writeTree } from './run-cli';

const a = { path: 'prod-blue/apps-web/namespace_web.yaml', content: 'a: 1\n' };
const b = { path: 'prod-blue/apps-web/service_web_web.yaml', content: 'b: 1\n' };
const c = { path: 'infra/prod-network.tf.json', content: '{}\n' };

describe('dist writer', () => {
  it('writes every rendered file and an index of what it generated', () => {
    const dist = tempDir('dist');
    const plan = writeDist(dist, [a, b, c]);
    expect(plan.added).toEqual([INDEX_FILE, c.path, a.path, b.path].sort());
    expect(readFileSync(join(dist, a.path), 'utf8')).toBe(a.content);
    expect(readFileSync(join(dist, INDEX_FILE), 'utf8').split('\n').slice(1, -1)).toEqual([
      c.path,
      a.path,
      b.path,
    ]);
  });

  it('removes a file it generated before and no longer generates, with its empty folder', () => {
    const dist = tempDir('dist');
    writeDist(dist, [a, b, c]);
    const plan = writeDist(dist, [a, c]);
    expect(plan.removed).toEqual([b.path]);
    expect(existsSync(join(dist, b.path))).toBe(false);
    writeDist(dist, [c]);
    expect(existsSync(join(dist, 'prod-blue'))).toBe(false);
  });

  it('keeps a file it did not generate, even inside a generated folder', () => {
    const dist = tempDir('dist');
    writeDist(dist, [a, b]);
    writeTree(dist, { 'README.md': 'mine\n', 'prod-blue/apps-web/NOTES.txt': 'mine too\n' });
    writeDist(dist, [c]);
    expect(readFileSync(join(dist, 'README.md'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(dist, 'prod-blue/apps-web/NOTES.txt'), 'utf8')).toBe('mine too\n');
    expect(existsSync(join(dist, a.path))).toBe(false);
  });

  it('rewrites only files whose bytes changed', () => {
    const dist = tempDir('dist');
    writeDist(dist, [a, b]);
    const plan = writeDist(dist, [a, { ...b, content: 'b: 2\n' }]);
    expect(plan.changed).toEqual([b.path]);
    expect(plan.added).toEqual([]);
    expect(plan.unchanged).toBe(2); // a and the index
  });

  it('refuses two objects rendered to the same path and leaves dist untouched', () => {
    const dist = tempDir('dist');
    writeDist(dist, [a]);
    const before = snapshotTree(dist);
    expect(() => writeDist(dist, [c, b, { ...b, content: 'other\n' }])).toThrow(
      `two rendered objects map to the same file dist/${b.path}`,
    );
    expect(snapshotTree(dist)).toEqual(before);
  });

  it('leaves dist byte-identical when rendering throws midway', () => {
    const dist = tempDir('dist');
    writeDist(dist, [a, b]);
    writeTree(dist, { 'README.md': 'mine\n' });
    const before = snapshotTree(dist);
    function* failingRender(): Generator<DistFile> {
      yield { ...a, content: 'changed\n' };
      yield c;
      throw new Error('chart exploded');
    }
    expect(() => writeDist(dist, failingRender())).toThrow('chart exploded');
    expect(snapshotTree(dist)).toEqual(before);
  });

  it('leaves dist byte-identical when a file cannot be written after others were', () => {
    const dist = tempDir('dist');
    writeDist(dist, [a]);
    // A file of someone else's where the render needs a folder: mkdir fails after the new files of
    // earlier paths (infra/, prod-blue/) were written.
    writeTree(dist, { zz: 'mine\n' });
    const before = snapshotTree(dist);
    const blocked = { path: 'zz/apps-web/namespace_web.yaml', content: 'z: 1\n' };
    expect(() => writeDist(dist, [{ ...a, content: 'changed\n' }, b, c, blocked])).toThrow();
    expect(snapshotTree(dist)).toEqual(before);
  });

  it('rejects a path that would escape dist', () => {
    const dist = tempDir('dist');
    expect(() => writeDist(join(dist, 'dist'), [{ path: '../outside.yaml', content: 'x' }])).toThrow(
      'dist path "../outside.yaml" is not a plain relative path',
    );
    expect(snapshotTree(dist)).toEqual({});
  });
});
