/**
 * Entry point of `npx cdk8s synth` (cdk8s.yaml): one folder per cluster under the cdk8s output
 * folder (CDK8S_OUTDIR, cdk8s.out), a folder per chart and a file per object. dist/ is written by
 * `npm run synth`, whose file names are the contract Argo CD and reviewers rely on.
 */
import { join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { environmentsForTool } from '../cli/config-files';
import { clusterName } from '../platform/names';
import { addClusterCharts } from './cluster-charts';

const outdir = process.env.CDK8S_OUTDIR ?? 'cdk8s.out';
for (const config of environmentsForTool(join(__dirname, '..', 'config'))) {
  for (const cluster of config.clusters) {
    const app = new App({
      outdir: join(outdir, clusterName(config, cluster)),
      yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
    });
    addClusterCharts(app, config, cluster);
    app.synth();
  }
}
