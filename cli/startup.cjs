/**
 * Start-up settings of the CLI process (cli/run.cjs), before cdktf is loaded: each removes work
 * cdktf does at every render for a feature the platform never uses. Measured with
 * `npm run bench -- --sizes example` (docs/performance.md).
 */
const Module = require('node:module');
const { dirname } = require('node:path');

/**
 * cdktf captures a full stack trace into a plain object for every token it creates
 * (cdktf/lib/tokens/private/stack-trace.js, `Error.stackTraceLimit` raised to the maximum) and
 * formats it at once, only to print it if that token ever fails to resolve: about a tenth of a
 * render of the example. Such an object gets an empty trace (cdktf keeps none then); an Error's
 * stack is formatted exactly as Node's default does.
 * https://github.com/nodejs/node/blob/v20.x/lib/internal/errors.js (prepareStackTraceCallback)
 * https://v8.dev/docs/stack-trace-api
 */
function skipTracesOfPlainObjects() {
  Error.prepareStackTrace = (error, frames) => {
    if (!(error instanceof Error)) return '';
    const head = Error.prototype.toString.call(error);
    return frames.length === 0 ? head : `${head}\n    at ${frames.join('\n    at ')}`;
  };
}

/**
 * cdktf loads `archiver` (about 200 modules: zip streams, globbing) when it starts, for zipping
 * assets, which the platform has none of (and cdktf zips in a child process anyway:
 * cdktf/lib/private/fs.js `archiveSync` runs itself as a script): about a tenth of a render of
 * the example. Its entry in require.cache is a stand-in that loads the real module on first use.
 * https://nodejs.org/api/modules.html#requirecache
 */
function loadArchiverOnUse() {
  let key;
  try {
    key = require.resolve('archiver', { paths: [dirname(require.resolve('cdktf'))] });
  } catch {
    return; // not where cdktf would find it: cdktf then loads (or misses) it itself
  }
  let archiver;
  const real = () => {
    if (archiver === undefined) {
      delete require.cache[key];
      archiver = require(key);
    }
    return archiver;
  };
  const standIn = new Module(key);
  standIn.filename = key;
  standIn.loaded = true;
  standIn.exports = new Proxy(function archiver() {}, {
    apply: (_target, self, args) => Reflect.apply(real(), self, args),
    get: (_target, property) => real()[property],
  });
  require.cache[key] = standIn;
}

module.exports = { loadArchiverOnUse, skipTracesOfPlainObjects };
