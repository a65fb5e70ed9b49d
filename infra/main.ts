/**
 * Entry point of `npx cdktf synth` (cdktf.json). The same stacks as `npm run synth`, written where
 * the cdktf CLI asks (CDKTF_OUTDIR, read by the App). `npm run synth` is the faster path: one
 * process for both apps. The environments come from PLATFORM_CONFIG (a folder or a file; the
 * repository's config/ by default); a bad config exits 2 with one line per problem.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { loadEnvironments } from '../platform/config-files';
import { ConfigError } from '../platform/load';
import { synthStacks } from './synth-stacks';

const configPath = process.env.PLATFORM_CONFIG ?? join(__dirname, '..', 'config');
try {
  synthStacks(loadEnvironments(configPath, { fs, cwd: process.cwd() }).map((e) => e.config));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
