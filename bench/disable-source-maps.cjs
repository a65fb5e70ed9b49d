/**
 * Experiment preload (`node --require tsx/cjs --require bench/disable-source-maps.cjs`): tsx turns
 * source-mapped stack traces on, and cdktf captures a full stack trace for every token it creates
 * (cdktf/lib/tokens/private/stack-trace.js), so every token pays for source-map lookups. This turns
 * them back off after tsx has registered, to measure that cost.
 */
process.setSourceMapsEnabled(false);
