/**
 * The render pipeline (DESIGN §6, §9): in one Node process, one cdktf App for every selected
 * environment's stacks and one cdk8s App per cluster, turned into the files of dist/ in memory.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthStacks } from '../infra/synth-stacks';
import { clusterManifests } from '../manifests/cluster-manifests';
import { clusterName } from '../platform/names';
import type { PlatformConfig } from '../platform/schema';
import { manifestPath, objectIdentity, stackPath } from './dist-path';
import type { DistFile } from './dist-writer';
import { kubernetesYaml, stableJson } from './serialize';

export interface RenderedObject {
  readonly environment: string;
  readonly cluster: string;
  readonly component: string;
  /** Relative to dist/. */
  readonly path: string;
  readonly object: Record<string, unknown>;
}

export interface RenderedStack {
  readonly environment: string;
  readonly name: string;
  /** Relative to dist/. */
  readonly path: string;
  /** The Terraform JSON as cdktf wrote it. */
  readonly json: Record<string, unknown>;
}

export interface Rendering {
  readonly objects: readonly RenderedObject[];
  readonly stacks: readonly RenderedStack[];
  readonly files: readonly DistFile[];
}

export interface RenderOptions {
  /** Where cdktf writes `stacks/<stack>/cdk.tf.json` (cdktf.out by default). */
  readonly tfOutDir: string;
  /**
   * Called after each unit of work (a cluster's manifests, then the Terraform stacks): the render
   * is synchronous, so a timer could not report progress while it runs.
   */
  readonly onProgress?: (done: number, total: number, unit: string) => void;
}

export function render(configs: readonly PlatformConfig[], options: RenderOptions): Rendering {
  const total = configs.reduce((sum, c) => sum + c.clusters.length, 0) + 1;
  let done = 0;
  const progress = (unit: string) => options.onProgress?.(++done, total, unit);
  const objects = configs.flatMap((config) => renderManifests(config, progress));
  const stacks = renderStacks(configs, options.tfOutDir);
  progress('Terraform stacks');
  const files: DistFile[] = [
    ...objects.map((o) => ({ path: o.path, content: kubernetesYaml(o.object) })),
    ...stacks.map((s) => ({ path: s.path, content: stableJson(s.json) })),
  ];
  return { objects, stacks, files };
}

function renderManifests(config: PlatformConfig, progress: (unit: string) => void): RenderedObject[] {
  return config.clusters.flatMap((cluster) => {
    const name = clusterName(config, cluster);
    const objects = clusterManifests(config, cluster).map(({ component, object }) => ({
      environment: config.name,
      cluster: name,
      component,
      path: manifestPath(name, component, objectIdentity(object)),
      object,
    }));
    progress(`${name} manifests`);
    return objects;
  });
}

function renderStacks(configs: readonly PlatformConfig[], tfOutDir: string): RenderedStack[] {
  // Nothing in tfOutDir is deleted: after `cdktf deploy` a stack folder holds its .terraform
  // folder and lock file. cdktf's manifest.json lists exactly the stacks of this render.
  mkdirSync(tfOutDir, { recursive: true });
  return synthStacks(configs, tfOutDir).map(({ environment, name }) => ({
    environment,
    name,
    path: stackPath(name),
    json: JSON.parse(readFileSync(join(tfOutDir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as Record<
      string,
      unknown
    >,
  }));
}

/** Number of Terraform resources in a stack. */
export function resourceCount(stack: RenderedStack): number {
  const resources = (stack.json.resource ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(resources).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}
