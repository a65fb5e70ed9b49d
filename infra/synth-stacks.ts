import { App } from 'cdktf';
import type { PlatformConfig } from '../platform/schema';
import { addPlatformStacks } from './platform-stacks';

export interface SynthesizedStack {
  readonly environment: string;
  readonly name: string;
}

/**
 * Synthesizes the stacks of every environment with one cdktf App into `outdir`
 * (`stacks/<stack>/cdk.tf.json`, plus cdktf's manifest.json listing exactly these stacks, so
 * `cdktf deploy <stack>` works for every environment). Stack traces are off: they would put
 * absolute paths and line numbers into the reviewed output.
 */
export function synthStacks(configs: readonly PlatformConfig[], outdir?: string): SynthesizedStack[] {
  const app = new App({ stackTraces: false, ...(outdir === undefined ? {} : { outdir }) });
  const stacks: SynthesizedStack[] = [];
  for (const config of configs) {
    const before = new Set(app.node.children.map((c) => c.node.id));
    addPlatformStacks(app, config);
    for (const child of app.node.children) {
      if (!before.has(child.node.id)) stacks.push({ environment: config.name, name: child.node.id });
    }
  }
  app.synth();
  return stacks;
}
