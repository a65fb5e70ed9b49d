/**
 * Generates platforms for the benchmark (DESIGN §9, §10) from one example environment file:
 * - `generatePlatform`: any number of clusters, grown the way a team grows them: more
 *   environments shaped like the template (prod: blue and green), not one VPC holding fifty
 *   clusters.
 * - `generateAppPlatform`: one environment holding many apps (object-heavy), grown the way app
 *   teams grow one: many teams, each with its services, of varied names, namespaces, images,
 *   sizes, placements, DNS names and clusters.
 * Pure and deterministic: takes the template's text, returns the files' text; the caller writes
 * them.
 */
import { createHash } from 'node:crypto';
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

type Raw = Record<string, unknown>;

function templateOf(templateText: string): { template: Raw; clusters: Raw[] } {
  const template = parse(templateText) as Raw;
  const clusters = template.clusters as Raw[] | undefined;
  if (!Array.isArray(clusters) || clusters.length === 0) {
    throw new Error('the template must define at least one cluster under clusters:');
  }
  return { template, clusters };
}

/**
 * The template as environment number `index` with its first `count` clusters: its own name,
 * network, state bucket and DNS zones. It keeps the template's live color when it has that
 * cluster, else its first; apps keep only the colors it has, and an app left with none is dropped
 * (it would run nowhere).
 */
function environmentFrom(template: Raw, templateClusters: readonly Raw[], index: number, count: number): Raw {
  const name = benchEnvironmentName(index);
  const env = structuredClone(template);
  const kept = templateClusters.slice(0, count).map((c) => structuredClone(c));
  const colors = kept.map((c) => String(c.color));
  env.name = name;
  env.clusters = kept;
  env.live = colors.includes(String(template.live)) ? template.live : colors[0];
  if (isRecord(env.tags) && 'environment' in env.tags) env.tags.environment = name;
  // A /16 per environment: 10.0.0.0/16 ... 10.255.0.0/16, then 11.x and so on.
  if (isRecord(env.network)) env.network.cidr = `${10 + Math.floor(index / 256)}.${index % 256}.0.0/16`;
  if (isRecord(env.backend) && isRecord(env.backend.s3)) env.backend.s3.bucket = `tfstate-${name}`;
  if (isRecord(env.dns)) {
    for (const [kind, zone] of Object.entries(env.dns)) {
      if (isRecord(zone) && typeof zone.zone === 'string') zone.zone = `${name}.${zone.zone}`;
      if (isRecord(zone)) zone.zoneId = `Z${String(index + 1).padStart(5, '0')}${kind.toUpperCase()}`;
    }
  }
  if (Array.isArray(env.apps)) {
    env.apps = env.apps.flatMap((app: Raw) => {
      if (!Array.isArray(app.clusters)) return [app];
      const runsOn = app.clusters.filter((color) => colors.includes(String(color)));
      return runsOn.length === 0 ? [] : [{ ...app, clusters: runsOn }];
    });
  }
  return env;
}

/**
 * `clusters` clusters in environments that each take the template's clusters in order; the last
 * environment takes the remainder.
 */
export function generatePlatform(templateText: string, clusters: number): GeneratedFile[] {
  if (!Number.isInteger(clusters) || clusters < 1) {
    throw new RangeError(`clusters must be a whole number >= 1, got ${clusters}`);
  }
  const { template, clusters: templateClusters } = templateOf(templateText);
  const perEnvironment = templateClusters.length;
  const environments = Math.ceil(clusters / perEnvironment);
  if (environments > 256 * 245) throw new RangeError(`too many environments (${environments})`);
  const files: GeneratedFile[] = [];
  for (let index = 0; index < environments; index++) {
    const count = Math.min(perEnvironment, clusters - index * perEnvironment);
    const env = environmentFrom(template, templateClusters, index, count);
    files.push({ name: `${env.name}.yaml`, text: stringify(env) });
  }
  return files;
}

export interface AppPlatformOptions {
  /** Apps in the environment, the template's own included. */
  readonly apps: number;
  /** Clusters of the environment: the template's first ones. @default every cluster of the template */
  readonly clusters?: number;
}

/**
 * One environment (`bench-001`) of the template's first `clusters` clusters holding `apps` apps:
 * the template's apps, then generated ones. Deterministic: the same arguments give the same text.
 */
export function generateAppPlatform(templateText: string, options: AppPlatformOptions): GeneratedFile[] {
  const { template, clusters: templateClusters } = templateOf(templateText);
  const clusters = options.clusters ?? templateClusters.length;
  if (!Number.isInteger(clusters) || clusters < 1 || clusters > templateClusters.length) {
    throw new RangeError(
      `clusters must be a whole number from 1 to the template's ${templateClusters.length}, got ${clusters}`,
    );
  }
  const env = environmentFrom(template, templateClusters, 0, clusters);
  const own = Array.isArray(env.apps) ? (env.apps as Raw[]) : [];
  if (!Number.isInteger(options.apps) || options.apps < own.length) {
    throw new RangeError(
      `apps must be a whole number >= the template's ${own.length} app(s), got ${options.apps}`,
    );
  }
  const colors = (env.clusters as Raw[]).map((c) => String(c.color));
  const ecr = isRecord(env.ecr) ? env.ecr : {};
  const registry = `${String(ecr.account ?? env.account)}.dkr.ecr.${String(ecr.region ?? env.region)}.amazonaws.com`;
  const tolerations = stableTaintTolerations(env.clusters as Raw[]);
  const generated = Array.from({ length: options.apps - own.length }, (_, i) =>
    generatedApp(i, { registry, colors, live: String(env.live), tolerations }),
  );
  env.apps = [...own, ...generated];
  return [{ name: `${env.name}.yaml`, text: stringify(env, { aliasDuplicateObjects: false }) }];
}

/** Business domains (the owning teams' areas) and what each team runs: 24 × 20 × 5 = 2,400 names. */
const DOMAINS = [
  'accounts',
  'billing',
  'catalog',
  'checkout',
  'claims',
  'compliance',
  'content',
  'crm',
  'data',
  'delivery',
  'fraud',
  'growth',
  'identity',
  'inventory',
  'ledger',
  'loyalty',
  'marketing',
  'media',
  'notify',
  'orders',
  'pricing',
  'risk',
  'search',
  'support',
] as const;
const NOUNS = [
  'profile',
  'invoice',
  'product',
  'cart',
  'claim',
  'audit',
  'article',
  'contact',
  'report',
  'parcel',
  'score',
  'campaign',
  'session',
  'stock',
  'entry',
  'reward',
  'segment',
  'asset',
  'message',
  'quote',
] as const;
const ROLES = ['api', 'worker', 'web', 'sync', 'gateway'] as const;
const PORTS = [8080, 8000, 3000, 9000, 5000] as const;
const HEALTH_PATHS = ['/healthz', '/health/ready', '/ready', '/status'] as const;
const CPU = ['50m', '100m', '250m', '500m', '1'] as const;
const MEMORY_MI = [64, 128, 256, 512, 1024, 2048] as const;

interface AppContext {
  readonly registry: string;
  readonly colors: readonly string[];
  readonly live: string;
  /** Tolerations of the environment's NoSchedule taints, for the few apps that run there. */
  readonly tolerations: readonly Raw[];
}

/**
 * A small deterministic generator (a 32-bit LCG) seeded per app, so an app's attributes do not
 * change when the count changes.
 */
function random(seed: number): (n: number) => number {
  let state = (seed * 2654435761 + 1013904223) >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

function pick<T>(list: readonly T[], roll: (n: number) => number): T {
  return list[roll(list.length)] as T;
}

/** App number `i`: `<domain>-<noun>-<role>`, then `-2`, `-3`... past the 2,400 combinations. */
export function generatedAppName(i: number): string {
  const domain = DOMAINS[i % DOMAINS.length];
  const noun = NOUNS[Math.floor(i / DOMAINS.length) % NOUNS.length];
  const combos = DOMAINS.length * NOUNS.length * ROLES.length;
  const role = ROLES[Math.floor(i / (DOMAINS.length * NOUNS.length)) % ROLES.length];
  const round = Math.floor(i / combos);
  return `${domain}-${noun}-${role}${round === 0 ? '' : `-${round + 1}`}`;
}

function generatedApp(i: number, context: AppContext): Raw {
  const roll = random(i + 1);
  const name = generatedAppName(i);
  const [domain = name, noun = name] = name.split('-');
  // About five teams per domain, each owning a few kinds of things.
  const team = `${domain}-${['core', 'platform', 'ops', 'edge', 'insights'][NOUNS.indexOf(noun as never) % 5]}`;
  const app: Raw = { name };
  // Most apps take their name as namespace; some teams prefix theirs.
  if (roll(10) < 3) app.namespace = `${domain}-${name.slice(domain.length + 1)}-ns`;
  app.team = team;
  const version = `${1 + roll(4)}.${roll(20)}.${roll(10)}`;
  app.image =
    roll(10) === 0
      ? `${context.registry}/${domain}/${name}@sha256:${createHash('sha256').update(`${name}:${version}`).digest('hex')}`
      : `${context.registry}/${domain}/${name}:${version}`;
  app.port = pick(PORTS, roll);
  if (roll(2) === 0) app.healthPath = pick(HEALTH_PATHS, roll);
  const min = 1 + roll(3);
  app.replicas = {
    min,
    max: min + roll(9),
    ...(roll(3) === 0 ? {} : { targetCpuPercent: 50 + 5 * roll(7) }),
  };
  const cpuIndex = roll(CPU.length);
  const memoryMi = pick(MEMORY_MI, roll);
  app.resources = {
    cpu: CPU[cpuIndex],
    memory: mebibytes(memoryMi),
    ...(roll(3) === 0 ? { memoryLimit: mebibytes(memoryMi + memoryMi / 2) } : {}),
    ...(roll(5) === 0 ? { cpuLimit: CPU[Math.min(CPU.length - 1, cpuIndex + 1)] } : {}),
  };
  const placement = roll(20);
  app.placement = placement < 9 ? 'spot' : placement < 15 ? 'essential' : 'any';
  // A few essential apps (databases' neighbours) run on the tainted stateful nodes too.
  if (app.placement === 'essential' && context.tolerations.length > 0 && roll(8) === 0) {
    app.tolerations = context.tolerations.map((t) => ({ ...t }));
  }
  const dns: Raw = {};
  // Half the apps are called from other VPCs or on-premises, some from the internet.
  if (roll(2) === 0) dns.private = name;
  if (roll(6) === 0) dns.public = `${noun}-${name.slice(domain.length + noun.length + 2)}-${domain}`;
  if (Object.keys(dns).length > 0) app.dns = dns;
  // Most apps run on every cluster; some only on the live one or only on the other (an app being
  // tried on the next version, or kept on the old one until it moves).
  if (context.colors.length > 1) {
    const where = roll(20);
    const other = context.colors.find((c) => c !== context.live) ?? context.live;
    if (where === 0) app.clusters = [context.live];
    else if (where === 1) app.clusters = [other];
    else if (where < 4) app.clusters = [...context.colors];
  }
  return app;
}

function mebibytes(value: number): string {
  return value % 1024 === 0 ? `${value / 1024}Gi` : `${value}Mi`;
}

/** Tolerations of the NoSchedule taints of the environment's node groups, one per distinct taint. */
function stableTaintTolerations(clusters: readonly Raw[]): Raw[] {
  const seen = new Map<string, Raw>();
  for (const cluster of clusters) {
    for (const group of (cluster.nodeGroups ?? []) as Raw[]) {
      for (const taint of (group.taints ?? []) as Raw[]) {
        if (taint.effect !== 'NoSchedule') continue;
        const toleration = { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect };
        seen.set(JSON.stringify(toleration), toleration);
      }
    }
  }
  return [...seen.values()];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
