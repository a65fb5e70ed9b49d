import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');

/** Runs a CommonJS script in a fresh Node process (the settings are process-wide) and parses its JSON output. */
function inFreshProcess(script: string): Record<string, unknown> {
  const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node -e failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const STARTUP = JSON.stringify(join(ROOT, 'cli', 'startup.cjs'));

describe('the start-up settings of the CLI process', () => {
  it('format the stack of an Error exactly as Node does, and leave a plain object without a trace', () => {
    const out = inFreshProcess(`
      const { skipTracesOfPlainObjects } = require(${STARTUP});
      function thrower(message) { return new Error(message); }
      const capture = () => { const o = { stack: '' }; Error.captureStackTrace(o); return o.stack; };
      const seen = {};
      // The same call sites before and after, so that the traces can be equal.
      for (const phase of ['before', 'after']) {
        if (phase === 'after') skipTracesOfPlainObjects();
        seen[phase] = { error: thrower('boom').stack, typeError: String(new TypeError('t').stack).split('\\n')[0], plain: capture() };
      }
      const { before, after } = seen;
      console.log(JSON.stringify({ before, after }));
    `);
    const { before, after } = out as Record<string, Record<string, string>>;
    expect(after?.error).toBe(before?.error);
    expect(after?.error).toMatch(/^Error: boom\n {4}at thrower \(/);
    expect(after?.typeError).toBe('TypeError: t');
    expect(before?.plain).toMatch(/at /);
    expect(after?.plain).toBe('');
  });

  it('loads archiver only when it is called, and then the real one', () => {
    const out = inFreshProcess(`
      const { loadArchiverOnUse } = require(${STARTUP});
      const { dirname } = require('node:path');
      loadArchiverOnUse();
      const key = require.resolve('archiver', { paths: [dirname(require.resolve('cdktf'))] });
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/zip-stream/'));
      require('cdktf');
      const afterCdktf = loaded();
      const archive = require(key)('zip', { zlib: { level: 9 } });
      console.log(JSON.stringify({
        afterCdktf,
        afterCall: loaded(),
        archive: typeof archive.directory,
        realInCache: require.cache[key].exports.isRegisteredFormat('zip'),
      }));
    `);
    expect(out).toEqual({ afterCdktf: false, afterCall: true, archive: 'function', realInCache: true });
  });

  it('loads the modules no render uses only when they are used, and then the real ones', () => {
    const out = inFreshProcess(`
      const { loadUnusedModulesOnUse } = require(${STARTUP});
      loadUnusedModulesOnUse();
      const files = () => Object.keys(require.cache);
      const count = (part) => files().filter((k) => k.includes(part)).length;
      const { z } = require('zod');
      const { Yaml } = require('cdk8s');
      require('cdktf');
      const { Deployment } = require('kubernetes-models/apps/v1/Deployment');
      const before = {
        cdk8sYaml: count('/cdk8s/node_modules/yaml/'),
        semver: count('/cdktf/node_modules/semver/'),
        zodLocales: count('/zod/v4/locales/'),
        ajvI18n: count('/ajv-i18n/'),
      };
      let schemaError = '';
      try { new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two' } }).validate(); } catch (e) { schemaError = e.message; }
      const semver = require(require.resolve('semver', { paths: [require('node:path').dirname(require.resolve('cdktf'))] }));
      const after = {
        yaml: Yaml.stringify({ a: [1] }),
        satisfies: semver.satisfies('1.5.0', '>=1.2'),
        french: typeof z.locales.fr,
        schemaError: schemaError.includes('must be integer'),
        cdk8sYaml: count('/cdk8s/node_modules/yaml/') > 1,
        semver: count('/cdktf/node_modules/semver/') > 1,
        zodLocales: count('/zod/v4/locales/') > 2,
        ajvI18n: count('/ajv-i18n/') > 1,
      };
      console.log(JSON.stringify({ before, after }));
    `);
    expect(out).toEqual({
      // One entry each (the stand-in), zod's English messages and the stand-in of its locales.
      before: { cdk8sYaml: 1, semver: 1, zodLocales: 2, ajvI18n: 1 },
      after: {
        yaml: 'a:\n  - 1\n',
        satisfies: true,
        french: 'function',
        schemaError: true,
        cdk8sYaml: true,
        semver: true,
        zodLocales: true,
        ajvI18n: true,
      },
    });
  });

  it("gives cdktf's tokens the empty creation stack they get with plain-object traces skipped, without capturing one", () => {
    const stacks = (setting: string) =>
      inFreshProcess(`
        const startup = require(${STARTUP});
        startup.skipTracesOfPlainObjects();
        ${setting}
        let captures = 0;
        const capture = Error.captureStackTrace;
        Error.captureStackTrace = (...args) => { captures++; return capture(...args); };
        const { Lazy, Tokenization } = require('cdktf');
        const token = Lazy.stringValue({ produce: () => 'x' });
        const creationStacks = Tokenization.reverseString(token).tokens.map((t) => t.creationStack);
        console.log(JSON.stringify({ creationStacks, captures }));
      `);
    const captured = stacks('');
    expect(captured.creationStacks).toEqual([[]]);
    expect(captured.captures).toBeGreaterThan(0);
    expect(stacks('startup.skipCdktfTokenTraces();')).toEqual({ creationStacks: [[]], captures: 0 });
  });

  describe('the code cache', () => {
    /** Node 22 and later cache compiled code themselves (`module.enableCompileCache`). */
    const nodeCompileCache =
      typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    /** Runs `main` of a module in a fresh process with the code cache in `cache`, twice over if asked. */
    function runCached(work: string, cache: string): Record<string, unknown> {
      return inFreshProcess(`
        const { compileWithCodeCache } = require(${STARTUP});
        compileWithCodeCache(${JSON.stringify(cache)});
        console.log(JSON.stringify(require(${JSON.stringify(join(work, 'main.js'))}).facts()));
      `);
    }
    const MODULE = (value: number) => `
      const { basename } = require('node:path');
      exports.facts = () => ({
        value: ${value},
        file: basename(__filename),
        dir: basename(__dirname),
        self: module.exports === exports && this === exports,
        resolved: basename(require.resolve('./other.js')),
        paths: Array.isArray(require.resolve.paths('x')),
        other: require('./other.js').other,
        cached: require.cache[__filename] === module,
        main: require.main === process.mainModule,
        extensions: typeof require.extensions['.js'],
      });
    `;

    it('runs a module with the arguments and require Node gives it, and saves an entry per file', () => {
      const work = mkdtempSync(join(tmpdir(), 'code-cache-'));
      try {
        const cache = join(work, 'cache');
        writeFileSync(join(work, 'main.js'), MODULE(1));
        writeFileSync(join(work, 'other.js'), 'exports.other = "o";\n');
        const expected = {
          value: 1,
          file: 'main.js',
          dir: work.split('/').pop(),
          self: true,
          resolved: 'other.js',
          paths: true,
          other: 'o',
          cached: true,
          main: true,
          extensions: 'function',
        };
        expect(runCached(work, cache)).toEqual(expected);
        if (!nodeCompileCache) {
          // One entry per module file the run compiled (startup.cjs is loaded before the hook).
          const entries = readdirSync(cache);
          expect(entries.length).toBeGreaterThanOrEqual(2);
          expect(entries.some((e) => e.endsWith('.tmp'))).toBe(false);
          // The second run compiles from the cache (V8 accepts every entry, so none is rewritten)
          // and behaves the same.
          const written = () => entries.map((e) => statSync(join(cache, e)).mtimeMs);
          const before = written();
          expect(runCached(work, cache)).toEqual(expected);
          expect(written()).toEqual(before);
        } else {
          // Node 22 and later keep their own layout in the folder.
          expect(readdirSync(cache).length).toBeGreaterThan(0);
          expect(runCached(work, cache)).toEqual(expected);
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('never runs the compiled code of an earlier source, even one of the same length', () => {
      const work = mkdtempSync(join(tmpdir(), 'code-cache-'));
      try {
        const cache = join(work, 'cache');
        writeFileSync(join(work, 'other.js'), 'exports.other = "o";\n');
        writeFileSync(join(work, 'main.js'), MODULE(1));
        expect(runCached(work, cache).value).toBe(1);
        expect(runCached(work, cache).value).toBe(1);
        // Same length: V8 alone would accept the entry of the old source.
        writeFileSync(join(work, 'main.js'), MODULE(2));
        expect(runCached(work, cache).value).toBe(2);
        expect(runCached(work, cache).value).toBe(2);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('renders without a cache folder it can write', () => {
      const work = mkdtempSync(join(tmpdir(), 'code-cache-'));
      try {
        writeFileSync(join(work, 'other.js'), 'exports.other = "o";\n');
        writeFileSync(join(work, 'main.js'), MODULE(3));
        // A file where the folder should be: nothing can be written.
        writeFileSync(join(work, 'cache'), '');
        expect(runCached(work, join(work, 'cache')).value).toBe(3);
        expect(runCached(work, join(work, 'cache')).value).toBe(3);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });
});
