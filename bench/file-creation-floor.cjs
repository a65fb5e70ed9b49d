/**
 * `npm run bench`: the cost of creating a render's files without the render. Reads every file of
 * a rendered dist/ into memory, then writes them all into an empty folder the way the dist writer
 * does (one mkdir per folder, one exclusive write per file) and prints what the writes alone cost
 * as JSON: wall time, and user and system CPU time of this process. On a fresh folder this is the
 * floor of a first render's file-system work on the machine, whatever the render does.
 *
 * usage: node bench/file-creation-floor.cjs <rendered dist> <empty or missing target folder>
 */
const { mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const [from, to] = process.argv.slice(2);
if (from === undefined || to === undefined) {
  console.error('usage: node bench/file-creation-floor.cjs <rendered dist> <target folder>');
  process.exit(2);
}
const files = readdirSync(from, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => {
    const path = join(entry.parentPath, entry.name);
    return { path: relative(from, path), content: readFileSync(path, 'utf8') };
  });

const cpuBefore = process.cpuUsage();
const start = process.hrtime.bigint();
const folders = new Set();
for (const file of files) {
  const target = join(to, file.path);
  const folder = dirname(target);
  if (!folders.has(folder)) {
    mkdirSync(folder, { recursive: true });
    folders.add(folder);
  }
  writeFileSync(target, file.content, { flag: 'wx' });
}
const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    files: files.length,
    folders: folders.size,
    wallMs,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
  }),
);
