import { spawnSync } from 'node:child_process';
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
});
