/**
 * Shared test helpers: load the fixture configs, mutate them, and render them in
 * process into a temporary folder, so tests assert on the real synthesized output.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type RenderedObject, type RenderedStack, type Rendering, render } from '../cli/render';
import { parseConfig } from '../platform/load';
import type { PlatformConfig } from '../platform/schema';

export const ROOT = resolve(__dirname, '..');

/**
 * The fixture platform the tests render (DESIGN §9): never config/, which a team replaces with its
 * own environments.
 */
export const FIXTURE_CONFIG = join(ROOT, 'test', 'fixtures', 'platform');

/**
 * The fixture environments; together they use every feature: blue/green with a live switch (prod),
 * off-hours (dev, stage), taints and a single-AZ stateful group (prod, stage), the ledger custom
 * workload (prod), and the API (dev), API_AND_CONFIG_MAP (prod) and CONFIG_MAP (stage) modes.
 */
export const FIXTURE_ENVIRONMENTS = ['dev', 'prod', 'stage'] as const;
export type FixtureEnvironment = (typeof FIXTURE_ENVIRONMENTS)[number];

export function fixtureText(env: FixtureEnvironment): string {
  return readFileSync(join(FIXTURE_CONFIG, `${env}.yaml`), 'utf8');
}

/** A fixture environment, validated. `edit` may change the raw YAML object first. */
export function fixtureConfig(
  env: FixtureEnvironment,
  edit?: (raw: Record<string, any>) => void,
): PlatformConfig {
  const { parse, stringify } = require('yaml') as typeof import('yaml');
  const raw = parse(fixtureText(env)) as Record<string, any>;
  edit?.(raw);
  return parseConfig(stringify(raw), `config/${env}.yaml`, env);
}

/** Renders configs into a temporary cdktf.out that is removed afterwards. */
export function renderConfigs(configs: readonly PlatformConfig[]): Rendering {
  const tfOut = mkdtempSync(join(tmpdir(), 'eks-platform-test-'));
  try {
    return render(configs, { tfOutDir: tfOut });
  } finally {
    rmSync(tfOut, { recursive: true, force: true });
  }
}

/** The objects of one cluster (and optionally one component) of a rendering. */
export function objectsOf(rendering: Rendering, cluster: string, component?: string): RenderedObject[] {
  return rendering.objects.filter(
    (o) => o.cluster === cluster && (component === undefined || o.component === component),
  );
}

/** The one object of a kind and name; fails the test when there is not exactly one. */
export function findObject(
  rendering: Rendering,
  cluster: string,
  kind: string,
  name: string,
  namespace?: string,
): Record<string, any> {
  const found = rendering.objects.filter((o) => {
    const m = o.object.metadata as { name?: string; namespace?: string };
    return (
      o.cluster === cluster &&
      o.object.kind === kind &&
      m.name === name &&
      (namespace === undefined || m.namespace === namespace)
    );
  });
  if (found.length !== 1)
    throw new Error(`expected one ${kind} ${name} on ${cluster}, found ${found.length}`);
  return (found[0] as RenderedObject).object as Record<string, any>;
}

export function stackOf(rendering: Rendering, name: string): RenderedStack {
  const stack = rendering.stacks.find((s) => s.name === name);
  if (!stack) throw new Error(`no stack ${name}; stacks: ${rendering.stacks.map((s) => s.name).join(', ')}`);
  return stack;
}

/** The resources of one Terraform type in a stack, by logical id. */
export function resourcesOf(stack: RenderedStack, type: string): Record<string, Record<string, any>> {
  const resources = (stack.json.resource ?? {}) as Record<string, Record<string, Record<string, any>>>;
  return resources[type] ?? {};
}
