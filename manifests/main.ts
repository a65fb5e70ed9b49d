/**
 * Entry point of `npx cdk8s synth` (cdk8s.yaml): one folder per cluster under the cdk8s output
 * folder (CDK8S_OUTDIR, cdk8s.out), a folder per chart and a file per object. dist/ is written by
 * `npm run synth`, whose file names are the contract Argo CD and reviewers rely on. The
 * environments come from PLATFORM_CONFIG (a folder or a file; the repository's config/ by
 * default); a bad config exits 2 with one line per problem.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { type LoadedEnvironment, loadEnvironments } from '../platform/config-files';
import { ConfigError } from '../platform/load';
import { clusterName } from '../platform/names';
import { addClusterCharts } from './cluster-charts';

const outdir = process.env.CDK8S_OUTDIR ?? 'cdk8s.out';
const configPath = process.env.PLATFORM_CONFIG ?? join(__dirname, '..', 'config');
let environments: LoadedEnvironment[] = [];
try {
  environments = loadEnvironments(configPath, { fs, cwd: process.cwd() });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
for (const { config } of environments) {
  for (const cluster of config.clusters) {
    const app = new App({
      outdir: join(outdir, clusterName(config, cluster)),
      yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
    });
    addClusterCharts(app, config, cluster);
    app.synth();
  }
}
