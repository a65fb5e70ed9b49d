/**
 * Start-up settings of the CLI process (cli/run.cjs), before cdktf is loaded: each removes work
 * cdktf does at every render for a feature the platform never uses. Measured with
 * `npm run bench -- --sizes example` (docs/performance.md).
 */
const Module = require('node:module');
const { dirname, join } = require('node:path');

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
 * With the setting above, cdktf's `captureStackTrace` (cdktf/lib/tokens/private/stack-trace.js)
 * always returns an empty trace, yet V8 still walks and records every frame of the stack
 * (`Error.stackTraceLimit` raised to the maximum) for each token first: about 3% of the example's
 * render. Its entry in require.cache returns the same empty trace without capturing one. A cdktf
 * without that file is left alone.
 */
function skipCdktfTokenTraces() {
  let key;
  try {
    key = join(dirname(require.resolve('cdktf')), 'tokens', 'private', 'stack-trace.js');
    require('node:fs').accessSync(key);
  } catch {
    return;
  }
  if (require.cache[key] !== undefined) return;
  const standIn = new Module(key);
  standIn.filename = key;
  standIn.loaded = true;
  standIn.exports = { captureStackTrace: () => [] };
  require.cache[key] = standIn;
}

/**
 * cdktf loads `archiver` (about 200 modules: zip streams, globbing) when it starts, for zipping
 * assets, which the platform has none of (and cdktf zips in a child process anyway:
 * cdktf/lib/private/fs.js `archiveSync` runs itself as a script): about a tenth of a render of
 * the example. Its entry in require.cache is a stand-in that loads the real module on first use.
 */
function loadArchiverOnUse() {
  loadOnUse(() => require.resolve('archiver', { paths: [dirname(require.resolve('cdktf'))] }));
}

/**
 * Modules the packages load when they start, for features no render uses, about 200 modules and
 * a tenth of the example's CPU time (`npm run bench -- --profile example`), each replaced by a
 * stand-in that loads it on first use:
 * - cdk8s's own copy of `yaml` (72 modules), for `Yaml.load` and `Yaml.stringify` (cdk8s's
 *   `App.synth` writing files, `Include`): the platform renders with `toJson`
 *   (manifests/synth-charts.ts). cdk8s/lib/yaml.js reads only `parseAllDocuments` and `stringify`
 *   of it, through TypeScript's `__importStar`, which would list (load) the module unless it says
 *   it is an ES module: its stand-in says so;
 * - cdktf's `semver` (45 modules), for its Terraform binary version validation, which runs only
 *   for resources that ask for a minimum Terraform version;
 * - zod's locales (64 modules, every language's error messages, an ES module): zod loads its
 *   English messages (zod/v4/locales/en.cjs) on its own, and the platform writes its own messages;
 * - `ajv-i18n` (24 modules), which @kubernetes-models/validate uses only to word a schema error.
 */
function loadUnusedModulesOnUse() {
  loadArchiverOnUse();
  loadOnUse(() => require.resolve('yaml', { paths: [dirname(require.resolve('cdk8s'))] }), {
    esModule: true,
  });
  loadOnUse(() => require.resolve('semver', { paths: [dirname(require.resolve('cdktf'))] }));
  loadOnUse(() => join(dirname(require.resolve('zod')), 'v4', 'locales', 'index.cjs'), { esModule: true });
  loadOnUse(() =>
    require.resolve('ajv-i18n', { paths: [dirname(require.resolve('@kubernetes-models/validate'))] }),
  );
}

/**
 * Puts in require.cache, under the file `locate()` returns, a stand-in whose first use (a call,
 * reading or listing a property) loads the real module, which then replaces it in the cache.
 * Until then its `__esModule` reads as `esModule` without loading anything: TypeScript's import
 * helpers read it when a module is imported. A module that cannot be found where its package
 * would look is left alone.
 * https://nodejs.org/api/modules.html#requirecache
 */
function loadOnUse(locate, { esModule = undefined } = {}) {
  let key;
  try {
    key = locate();
  } catch {
    return; // not where the package would find it: it then loads (or misses) it itself
  }
  if (require.cache[key] !== undefined) return;
  let loaded;
  const real = () => {
    if (loaded === undefined) {
      delete require.cache[key];
      loaded = require(key);
    }
    return loaded;
  };
  const standIn = new Module(key);
  standIn.filename = key;
  standIn.loaded = true;
  standIn.exports = new Proxy(function standIn() {}, {
    apply: (_target, self, args) => Reflect.apply(real(), self, args),
    construct: (_target, args, newTarget) => Reflect.construct(real(), args, newTarget),
    get: (_target, property) =>
      property === '__esModule' && loaded === undefined ? esModule : real()[property],
    has: (_target, property) => property in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), property);
      // A proxy may not report as non-configurable a property its (empty) target lacks.
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
  });
  require.cache[key] = standIn;
}

module.exports = {
  loadArchiverOnUse,
  loadUnusedModulesOnUse,
  skipCdktfTokenTraces,
  skipTracesOfPlainObjects,
};
