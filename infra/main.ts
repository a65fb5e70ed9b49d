/**
 * Entry point of `npx cdktf synth` (cdktf.json). The same stacks as `npm run synth`, written where
 * the cdktf CLI asks (CDKTF_OUTDIR, read by the App). `npm run synth` is the faster path: one
 * process for both apps.
 */
import { join } from 'node:path';
import { environmentsForTool } from '../cli/config-files';
import { synthStacks } from './synth-stacks';

synthStacks(environmentsForTool(join(__dirname, '..', 'config')));
