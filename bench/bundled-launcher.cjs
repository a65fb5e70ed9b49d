/**
 * Experiment: a prototype of a faster `npm run synth` (`node bench/bundled-launcher.cjs synth ...`).
 * It compiles our TypeScript with esbuild (installed with tsx) into one CommonJS file on every
 * run, packages left in node_modules, then runs it with plain Node: no tsx wrapper process, no
 * require/import hooks, no source-mapped stack traces. Measured by `npm run bench -- --experiments`.
 * The bundle sits in node_modules/.cache so its requires resolve; cli/main.ts derives its default
 * paths from __dirname, so the prototype is measured with explicit --config/--dist/--tf-out.
 */
const { join, resolve } = require('node:path');
const { buildSync } = require('esbuild');

const root = resolve(__dirname, '..');
const outfile = join(root, 'node_modules', '.cache', 'eks-platform-bench', 'launcher-main.cjs');
buildSync({
  entryPoints: [join(root, 'cli', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  logLevel: 'error',
  outfile,
});
process.exitCode = require(outfile).main(process.argv.slice(2));
