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
 * The generated imports of cdk8s-plus-27 (lib/imports/k8s.js, written by json2jsii) drop the
 * undefined fields of every object they render with
 * `Object.entries(o).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: v }), {})`,
 * which copies the object built so far once per field: quadratic in the fields of each object
 * (a pod spec has 40), and most of the time `KubeX.toJson()` takes. When that file loads, each of
 * its 456 filters is compiled as one loop with the same result: the same keys in the same order,
 * each value mapped by the same expression, `__proto__` an own property as the object literal
 * makes it. test/cli/linear-undefined-filters.test.ts compares both on every object of the
 * fixtures, key order included. A file without the pattern is loaded as it is.
 * https://github.com/cdklabs/json2jsii/blob/main/src/tojson.ts
 */
function linearUndefinedFilters() {
  let key;
  try {
    key = join(dirname(require.resolve('cdk8s-plus-27')), 'imports', 'k8s.js');
  } catch {
    return;
  }
  const extensions = Module._extensions;
  const loadJs = extensions['.js'];
  extensions['.js'] = function loadWithLinearFilters(module, filename) {
    if (filename !== key) return loadJs.call(this, module, filename);
    extensions['.js'] = loadJs;
    module._compile(withLinearUndefinedFilters(require('node:fs').readFileSync(filename, 'utf8')), filename);
  };
}

/** The json2jsii filter: `Object.entries(<operand>).reduce(... [i[0]]: <value> }), {})`. */
const UNDEFINED_FILTER =
  /Object\.entries\(([\w.$]+)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: (i\[1\]|i\[1\]\?\.value|i\[1\]\?\.map\(y => y\)|toJson_\w+\(i\[1\]\)) \}\), \{\}\)/g;

/** `source` with each json2jsii undefined filter replaced by a call of the linear `__definedEntries`. */
function withLinearUndefinedFilters(source) {
  const replaced = source.replace(UNDEFINED_FILTER, (_match, operand, value) =>
    value === 'i[1]' ? `__definedEntries(${operand})` : `__definedEntries(${operand}, (i) => ${value})`,
  );
  if (replaced === source) return source;
  // A function declaration is hoisted: appended, it is defined before any toJson runs.
  return `${replaced}\n${definedEntries.toString().replace('function definedEntries', 'function __definedEntries')}\n`;
}

/** What the json2jsii filter returns for `object`, in one pass. */
function definedEntries(object, value) {
  const result = {};
  for (const entry of Object.entries(object)) {
    if (entry[1] === undefined) continue;
    const v = value === undefined ? entry[1] : value(entry);
    if (entry[0] === '__proto__') {
      Object.defineProperty(result, '__proto__', {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else result[entry[0]] = v;
  }
  return result;
}

/**
 * Compiling the ~300 CommonJS files a render loads (cdk8s-plus-27's generated imports alone are
 * 2.5 MB) is about a tenth of a render of the example. V8 can skip it with a code cache: the
 * compiled code of a file, saved at the end of one run and given to the next. Node 22 does this
 * itself (`module.enableCompileCache`); on Node 20 each file is compiled as
 * `vm.Script(Module.wrap(source), { cachedData })` and run with the arguments and `require`
 * Node's own loader gives it (lib/internal/modules/cjs/loader.js `Module.prototype._compile`,
 * lib/internal/modules/helpers.js `makeRequireFunction`).
 *
 * Each file's entry in `dir` is named after its path and starts with the sha1 of the source it was
 * made from: an entry is used only for exactly that source (V8 itself only checks its length), and
 * V8 refuses one made by another Node version or with other flags (`cachedDataRejected`), which is
 * then rewritten. Entries are written once the command is done, each to a temporary file renamed
 * into place, so concurrent runs never read half an entry; a folder that cannot be written only
 * costs the saving. run.cjs empties the folder whenever it rebuilds the bundle (a source, the
 * lockfile or Node changed), so it holds one entry per module file of the current install.
 * https://v8.dev/blog/code-caching-for-devs
 * https://nodejs.org/api/vm.html#new-vmscriptcode-options
 * https://nodejs.org/api/module.html#moduleenablecompilecachecachedir
 */
function compileWithCodeCache(dir) {
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(dir);
    return;
  }
  const vm = require('node:vm');
  const loader = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (loader === undefined) return; // Node 20 before 20.12: `import()` would fail in such a script
  const fs = require('node:fs');
  const { createHash } = require('node:crypto');
  const sha1 = (text) => createHash('sha1').update(text).digest();
  const unsaved = [];
  Module.prototype._compile = function compileCached(content, filename) {
    const entry = join(dir, `${sha1(filename).toString('hex').slice(0, 20)}.v8`);
    const digest = sha1(content);
    let cachedData;
    try {
      const saved = fs.readFileSync(entry);
      if (saved.length > digest.length && saved.subarray(0, digest.length).equals(digest)) {
        cachedData = saved.subarray(digest.length);
      }
    } catch {
      // no entry yet
    }
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: loader,
    });
    if (cachedData === undefined || script.cachedDataRejected) unsaved.push({ entry, digest, script });

    const require = (id) => this.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, this);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    const compiled = script.runInThisContext({ displayErrors: true });
    return compiled.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  process.once('exit', () => {
    if (unsaved.length === 0) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const { entry, digest, script } of unsaved) {
        // After the run, so the cache also holds the functions compiled on first call.
        const temp = `${entry}.${process.pid}.tmp`;
        fs.writeFileSync(temp, Buffer.concat([digest, script.createCachedData()]));
        fs.renameSync(temp, entry);
      }
    } catch {
      // a read-only checkout: the next run compiles again
    }
  });
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
  compileWithCodeCache,
  definedEntries,
  linearUndefinedFilters,
  loadArchiverOnUse,
  loadUnusedModulesOnUse,
  skipCdktfTokenTraces,
  skipTracesOfPlainObjects,
  withLinearUndefinedFilters,
};
