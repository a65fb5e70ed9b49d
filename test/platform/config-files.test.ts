import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConfigFileSystem, type FileKind, loadEnvironments } from '../../platform/config-files';
import { ConfigError } from '../../platform/load';
import { FIXTURE_CONFIG, fixtureText } from '../helpers';

type Entry = { file: string } | { dir: string[] } | { link: string } | { fails: string };

const kind = (file: boolean, dir: boolean, link: boolean): FileKind => ({
  isFile: () => file,
  isDirectory: () => dir,
  isSymbolicLink: () => link,
});

function failure(code: string, call: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${call} '${path}'`), { code });
}

/**
 * A file system of a few entries. `{ fails: code }` is a file whose every read fails with that
 * code: a test running as root cannot make a real file unreadable (EACCES).
 */
function fakeFs(entries: Record<string, Entry>): ConfigFileSystem {
  const entry = (path: string) => {
    const found = entries[path];
    if (found === undefined) throw failure('ENOENT', 'stat', path);
    return found;
  };
  const resolveLinks = (path: string, depth = 0): Entry => {
    const found = entry(path);
    if (!('link' in found)) return found;
    if (depth > 8) throw failure('ELOOP', 'stat', path);
    return resolveLinks(found.link, depth + 1);
  };
  const kindOf = (e: Entry) => kind('file' in e || 'fails' in e, 'dir' in e, 'link' in e);
  return {
    lstatSync: (path) => kindOf(entry(path)),
    statSync: (path) => kindOf(resolveLinks(path)),
    readdirSync: (path) => {
      const e = resolveLinks(path);
      if (!('dir' in e)) throw failure('ENOTDIR', 'scandir', path);
      return e.dir;
    },
    readFileSync: (path) => {
      const e = resolveLinks(path);
      if ('fails' in e) throw failure(e.fails, 'open', path);
      if ('dir' in e) throw failure('EISDIR', 'read', path);
      return 'file' in e ? e.file : '';
    },
  };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadEnvironments', () => {
  it('loads every environment of a folder with node:fs, paths shown relative to the working directory', () => {
    const loaded = loadEnvironments(FIXTURE_CONFIG, { fs, cwd: join(FIXTURE_CONFIG, '..') });
    expect(loaded.map((e) => [e.file, e.config.name])).toEqual([
      ['platform/dev.yaml', 'dev'],
      ['platform/prod.yaml', 'prod'],
      ['platform/stage.yaml', 'stage'],
    ]);
  });

  it('loads only the environments named', () => {
    const loaded = loadEnvironments(FIXTURE_CONFIG, { fs, only: ['prod'] });
    expect(loaded.map((e) => e.config.name)).toEqual(['prod']);
  });

  it('rejects a file it cannot read (EACCES) with the path and the reason', () => {
    const files = fakeFs({
      '/c': { dir: ['dev.yaml', 'prod.yaml'] },
      '/c/dev.yaml': { fails: 'EACCES' },
      '/c/prod.yaml': { file: fixtureText('prod') },
    });
    expect(problemsOf(() => loadEnvironments('/c', { fs: files }))).toEqual([
      '/c/dev.yaml: cannot be read: permission denied',
    ]);
  });

  it.each([
    ['ENOENT', 'does not exist'],
    ['EISDIR', 'is a directory, not an environment file'],
    ['ELOOP', 'is a symbolic link loop'],
    ['EIO', 'cannot be read (EIO: open '],
  ])('rejects a file whose read fails with %s', (code, message) => {
    // The file passed the checks before it was read, then failed: removed, replaced or broken meanwhile.
    const files = fakeFs({ '/c': { dir: ['dev.yaml'] }, '/c/dev.yaml': { fails: code } });
    expect(problemsOf(() => loadEnvironments('/c', { fs: files }))[0]).toContain(`/c/dev.yaml: ${message}`);
  });

  it('rejects a symbolic link loop and a broken link without reading them', () => {
    const files = fakeFs({
      '/c': { dir: ['a.yaml', 'b.yaml', 'c.yaml'] },
      '/c/a.yaml': { link: '/c/b.yaml' },
      '/c/b.yaml': { link: '/c/a.yaml' },
      '/c/c.yaml': { link: '/c/gone.yaml' },
    });
    expect(problemsOf(() => loadEnvironments('/c', { fs: files }))).toEqual([
      '/c/a.yaml: is a symbolic link loop',
      '/c/b.yaml: is a symbolic link loop',
      '/c/c.yaml: is a broken symbolic link: its target does not exist',
    ]);
  });

  it('rejects a folder without environment files, ignoring other files', () => {
    const files = fakeFs({ '/c': { dir: ['schema.json', 'README.md'] } });
    expect(problemsOf(() => loadEnvironments('/c', { fs: files }))).toEqual([
      '/c: holds no environment file (<environment>.yaml)',
    ]);
  });

  it('suggests the lowercase name of an --env given in capitals', () => {
    expect(
      problemsOf(() => loadEnvironments(FIXTURE_CONFIG, { fs, only: ['Prod'], cwd: FIXTURE_CONFIG })),
    ).toEqual([
      `${FIXTURE_CONFIG}: --env Prod: no such environment (environment names are lowercase: --env prod); available: dev, prod, stage`,
    ]);
  });

  it('accepts environments whose names share a prefix when no name collides', () => {
    const eu = fixtureText('prod').replace('name: prod', 'name: eu');
    const euWest = fixtureText('prod').replace('name: prod', 'name: eu-west');
    const files = fakeFs({
      '/c': { dir: ['eu.yaml', 'eu-west.yaml'] },
      '/c/eu.yaml': { file: eu },
      '/c/eu-west.yaml': { file: euWest },
    });
    expect(loadEnvironments('/c', { fs: files }).map((e) => e.config.name)).toEqual(['eu-west', 'eu']);
  });
});
