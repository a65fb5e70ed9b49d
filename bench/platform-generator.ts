/**
 * Generates a platform of any number of clusters from one example environment file, for the
 * benchmark (DESIGN §9). The platform is made the way a growing team would grow it: more
 * environments shaped like the template (prod: blue and green), not one VPC holding fifty clusters.
 * Pure: takes the template's text, returns the files' text; the caller writes them.
 */
import { parse, stringify } from 'yaml';

export interface GeneratedFile {
  /** Base name of the environment file, e.g. `bench-003.yaml`. */
  readonly name: string;
  readonly text: string;
}

/** Environment names are `bench-001`, ...: 9 characters, well under the 16 the schema allows. */
export function benchEnvironmentName(index: number): string {
  return `bench-${String(index + 1).padStart(3, '0')}`;
}

/**
 * `clusters` clusters in environments that each take the template's clusters in order; the last
 * environment takes the remainder. An environment keeps the template's live color when it has that
 * cluster, else its first; apps keep only the colors their environment has, and an app left with
 * none is dropped (it would run nowhere).
 */
export function generatePlatform(templateText: string, clusters: number): GeneratedFile[] {
  if (!Number.isInteger(clusters) || clusters < 1) {
    throw new RangeError(`clusters must be a whole number >= 1, got ${clusters}`);
  }
  const template = parse(templateText) as Record<string, unknown>;
  const templateClusters = template.clusters as Record<string, unknown>[] | undefined;
  if (!Array.isArray(templateClusters) || templateClusters.length === 0) {
    throw new Error('the template must define at least one cluster under clusters:');
  }
  const perEnvironment = templateClusters.length;
  const environments = Math.ceil(clusters / perEnvironment);
  // A /16 per environment: 10.0.0.0/16 ... 10.255.0.0/16, then 11.x and so on.
  if (environments > 256 * 245) throw new RangeError(`too many environments (${environments})`);
  const files: GeneratedFile[] = [];
  for (let index = 0; index < environments; index++) {
    const count = Math.min(perEnvironment, clusters - index * perEnvironment);
    const name = benchEnvironmentName(index);
    const env = structuredClone(template);
    const kept = templateClusters.slice(0, count).map((c) => structuredClone(c));
    const colors = kept.map((c) => String(c.color));
    env.name = name;
    env.clusters = kept;
    env.live = colors.includes(String(template.live)) ? template.live : colors[0];
    if (isRecord(env.tags) && 'environment' in env.tags) env.tags.environment = name;
    if (isRecord(env.network)) env.network.cidr = `${10 + Math.floor(index / 256)}.${index % 256}.0.0/16`;
    if (isRecord(env.backend) && isRecord(env.backend.s3)) env.backend.s3.bucket = `tfstate-${name}`;
    if (isRecord(env.dns)) {
      for (const [kind, zone] of Object.entries(env.dns)) {
        if (isRecord(zone) && typeof zone.zone === 'string') zone.zone = `${name}.${zone.zone}`;
        if (isRecord(zone)) zone.zoneId = `Z${String(index + 1).padStart(5, '0')}${kind.toUpperCase()}`;
      }
    }
    if (Array.isArray(env.apps)) {
      env.apps = env.apps.flatMap((app: Record<string, unknown>) => {
        if (!Array.isArray(app.clusters)) return [app];
        const runsOn = app.clusters.filter((color) => colors.includes(String(color)));
        return runsOn.length === 0 ? [] : [{ ...app, clusters: runsOn }];
      });
    }
    files.push({ name: `${name}.yaml`, text: stringify(env) });
  }
  return files;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
