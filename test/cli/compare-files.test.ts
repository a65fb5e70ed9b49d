import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareFiles, startComparison } from '../../cli/compare-files.cjs';

const WORKER_FILE = resolve(__dirname, '..', '..', 'cli', 'compare-files.cjs');

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A folder holding `files` (path -> bytes or text). */
function folderWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'compare-files-'));
  folders.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const LARGE = `${'x'.repeat(100_000)}\n`;

/** Rendered files and a folder where each case of the comparison occurs once. */
function everyCase() {
  const rendered: Record<string, string> = {
    'a/same.yaml': 'kind: ConfigMap\n',
    'a/one-byte.yaml': 'kind: ConfigMap\n',
    'a/longer-on-disk.yaml': 'kind: ConfigMap\n',
    'a/shorter-on-disk.yaml': 'kind: ConfigMap\n',
    'a/multibyte.yaml': 'name: café ☕ 🚀\n',
    'a/replacement.yaml': 'name: \ufffd\n',
    'a/large.yaml': LARGE,
    'a/large-changed.yaml': LARGE,
    'a/missing.yaml': 'kind: Secret\n',
    'new-folder/file.yaml': 'kind: Service\n',
    'a/same.yaml/under-a-file.yaml': 'kind: Service\n',
    'b/empty.yaml': '',
  };
  const dir = folderWith({
    'a/same.yaml': 'kind: ConfigMap\n',
    'a/one-byte.yaml': 'kind: ConfigMaq\n',
    'a/longer-on-disk.yaml': 'kind: ConfigMap\n# more\n',
    'a/shorter-on-disk.yaml': 'kind: Config',
    'a/multibyte.yaml': 'name: café ☕ 🚀\n',
    // An invalid byte reads back as U+FFFD when decoded: only the bytes tell it differs.
    'a/replacement.yaml': Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0x0a]),
    'a/large.yaml': LARGE,
    'a/large-changed.yaml': `${'x'.repeat(99_999)}y\n`,
    'b/empty.yaml': '',
  });
  return { dir, files: new Map(Object.entries(rendered)) };
}

const EXPECTED = {
  added: ['a/missing.yaml', 'new-folder/file.yaml', 'a/same.yaml/under-a-file.yaml'],
  changed: [
    'a/one-byte.yaml',
    'a/longer-on-disk.yaml',
    'a/shorter-on-disk.yaml',
    'a/replacement.yaml',
    'a/large-changed.yaml',
  ],
  unchanged: 4,
};

describe('comparing rendered files with a folder', () => {
  it('tells added, changed and unchanged files apart byte for byte, in the order given', () => {
    const { dir, files } = everyCase();
    expect(compareFiles(dir, files)).toEqual(EXPECTED);
  });

  it('gives the same answer on a worker thread', () => {
    const { dir, files } = everyCase();
    expect(startComparison(dir, files, { workerFile: WORKER_FILE }).result()).toEqual(EXPECTED);
  });

  it('compares on this thread when the worker cannot start, with the same answer', () => {
    const { dir, files } = everyCase();
    const comparison = startComparison(dir, files, {
      workerFile: join(tmpdir(), 'no-such-worker.cjs'),
      startMs: 200,
    });
    expect(comparison.result()).toEqual(EXPECTED);
  });

  it('fails as reading would when a rendered path is a folder on disk, on either thread', () => {
    const dir = folderWith({ 'a/folder/inside.yaml': 'x\n' });
    const folder = new Map([['a/folder', 'x\n']]);
    expect(() => compareFiles(dir, folder)).toThrow(/EISDIR/);
    expect(() => startComparison(dir, folder, { workerFile: WORKER_FILE }).result()).toThrow(/EISDIR/);
  });

  it('answers for thousands of files in many folders as on this thread', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`f${i % 40}/object-${i}.yaml`] = `index: ${i}\n`;
    const dir = folderWith(files);
    const rendered = new Map(
      Object.entries(files).map(([path, content], i) => [path, i % 7 === 0 ? 'index: changed\n' : content]),
    );
    rendered.set('f0/new.yaml', 'new\n');
    const expected = compareFiles(dir, rendered);
    expect(expected.changed).toHaveLength(Math.ceil(3000 / 7));
    expect(expected.added).toEqual(['f0/new.yaml']);
    expect(expected.unchanged).toBe(3000 - Math.ceil(3000 / 7));
    expect(startComparison(dir, rendered, { workerFile: WORKER_FILE }).result()).toEqual(expected);
  });
});
