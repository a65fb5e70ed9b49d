import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INDEX_FILE, type OwnedDistFile, readIndex, writeDist } from '../../cli/dist-writer';
import { snapshotTree, tempDir, writeTree } from './run-cli';

const a = { path: 'prod-blue/apps-web/namespace_web.yaml', content: 'a: 1\n', environment: 'prod' };
const b = { path: 'prod-blue/apps-web/service_web_web.yaml', content: 'b: 1\n', environment: 'prod' };
const c = { path: 'infra/prod-network.tf.json', content: '{}\n', environment: 'prod' };
const d = { path: 'dev-blue/apps-web/namespace_web.yaml', content: 'd: 1\n', environment: 'dev' };
const e = { path: 'infra/dev-network.tf.json', content: '{"dev":1}\n', environment: 'dev' };

/** The index without its comment header. */
function indexBody(dist: string): string[] {
  return readFileSync(join(dist, INDEX_FILE), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'));
}

describe('dist writer', () => {
  it('writes every rendered file and an index of what it generated', () => {
    const dist = tempDir('dist');
    const plan = writeDist(dist, [a, b, c]);
    expect(plan.added).toEqual([INDEX_FILE, c.path, a.path, b.path].sort());
    expect(readFileSync(join(dist, a.path), 'utf8')).toBe(a.content);
    expect(indexBody(dist)).toEqual(['', '[prod]', c.path, a.path, b.path, '']);
  });

  it('records the environment of every file in one sorted section per environment', () => {
    const dist = tempDir('dist');
    writeDist(dist, [a, e, c, d]);
    expect(indexBody(dist)).toEqual(['', '[dev]', d.path, e.path, '', '[prod]', c.path, a.path, '']);
    expect(readIndex(dist)).toEqual(
      new Map([
        ['dev', [d.path, e.path]],
        ['prod', [c.path, a.path]],
      ]),
    );
  });

  it('writes a byte-identical index whatever the order of the rendered files', () => {
    const first = tempDir('dist');
    const second = tempDir('dist');
    writeDist(first, [a, b, c, d, e]);
    writeDist(second, [e, d, c, b, a]);
    expect(snapshotTree(second)).toEqual(snapshotTree(first));
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
    function* failingRender(): Generator<OwnedDistFile> {
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
    const blocked = { path: 'zz/apps-web/namespace_web.yaml', content: 'z: 1\n', environment: 'prod' };
    expect(() => writeDist(dist, [{ ...a, content: 'changed\n' }, b, c, blocked])).toThrow();
    expect(snapshotTree(dist)).toEqual(before);
  });

  it('rejects a path that would escape dist', () => {
    const dist = tempDir('dist');
    expect(() =>
      writeDist(join(dist, 'dist'), [{ path: '../outside.yaml', content: 'x', environment: 'prod' }]),
    ).toThrow('dist path "../outside.yaml" is not a plain relative path');
    expect(snapshotTree(dist)).toEqual({});
  });
});

describe('dist writer, partial render', () => {
  it("leaves every other environment's files and index section as they are", () => {
    const dist = tempDir('dist');
    writeDist(dist, [a, b, c, d, e]);
    const before = snapshotTree(dist);
    const plan = writeDist(dist, [{ ...d, content: 'd: 2\n' }], ['dev']);
    expect(plan.changed).toEqual([INDEX_FILE, d.path].sort());
    expect(plan.removed).toEqual([e.path]);
    const after = snapshotTree(dist);
    for (const file of [a, b, c]) expect(after[file.path], file.path).toBe(before[file.path]);
    expect(existsSync(join(dist, e.path))).toBe(false);
    expect(readIndex(dist).get('prod')).toEqual([c.path, a.path, b.path]);
    expect(readIndex(dist).get('dev')).toEqual([d.path]);
  });

  it('tells environments apart by the index, not by the prefix of their file names', () => {
    // Environment eu with color west-x renders eu-west-x/…; environment eu-west renders eu-west-blue/….
    const eu = { path: 'eu-west-x/apps-web/namespace_web.yaml', content: 'eu\n', environment: 'eu' };
    const euWest = {
      path: 'eu-west-blue/apps-web/namespace_web.yaml',
      content: 'w\n',
      environment: 'eu-west',
    };
    const dist = tempDir('dist');
    writeDist(dist, [eu, euWest]);
    const plan = writeDist(dist, [], ['eu']);
    expect(plan.removed).toEqual([eu.path]);
    expect(readFileSync(join(dist, euWest.path), 'utf8')).toBe('w\n');
    expect(readIndex(dist)).toEqual(new Map([['eu-west', [euWest.path]]]));
  });

  it("rejects a file that the index records as another environment's and leaves dist untouched", () => {
    const dist = tempDir('dist');
    writeDist(dist, [a, d]);
    const before = snapshotTree(dist);
    expect(() => writeDist(dist, [{ ...a, environment: 'dev', content: 'x\n' }], ['dev'])).toThrow(
      `dist/${a.path}: rendered for environment dev, but dist/.generated records it as environment prod's`,
    );
    expect(snapshotTree(dist)).toEqual(before);
  });

  it('keeps the entries of an index written before environments were recorded until a full render', () => {
    const dist = tempDir('dist');
    writeTree(dist, { [a.path]: a.content, [d.path]: d.content, [e.path]: e.content });
    writeFileSync(join(dist, INDEX_FILE), `# old index\n${a.path}\n${d.path}\n${e.path}\n`);
    // A partial render adopts the old entries it generates again and leaves the others.
    writeDist(dist, [e], ['dev']);
    expect(existsSync(join(dist, a.path))).toBe(true);
    expect(existsSync(join(dist, d.path))).toBe(true);
    expect(readIndex(dist)).toEqual(
      new Map([
        ['', [d.path, a.path]],
        ['dev', [e.path]],
      ]),
    );
    const plan = writeDist(dist, [e]);
    expect(plan.removed).toEqual([d.path, a.path].sort());
    expect(readIndex(dist)).toEqual(new Map([['dev', [e.path]]]));
  });
});
