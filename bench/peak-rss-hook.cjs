/**
 * Fallback probe for machines without GNU time: preloaded (NODE_OPTIONS --require) into every
 * Node process of a measured command, it appends `<max RSS KiB> <user s> <system s>` to the file
 * named by BENCH_PEAK_RSS_FILE when the process exits. Processes that are not Node (terraform)
 * are not seen.
 */
const { appendFileSync } = require('node:fs');

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    appendFileSync(file, `${usage.maxRSS} ${usage.userCPUTime / 1e6} ${usage.systemCPUTime / 1e6}\n`);
  });
}
