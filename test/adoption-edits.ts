/**
 * The ordinary edits a team makes to its config folder (issue 12): a new environment, a node group,
 * a third cluster, live switched to another color, an app added and one removed. They edit the
 * parsed YAML objects, so they do not depend on the text of the files, and they adapt to what the
 * folder holds, recording an edit they cannot make instead of failing. Used by test/config.test.ts
 * on a copy of config/, and by hand on a clone:
 * `npx tsx -e "console.log(require('./test/adoption-edits.ts').applyOrdinaryEdits('<dir>'))"`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse, stringify } from 'yaml';

type Raw = Record<string, any>;

export interface OrdinaryEdits {
  /** Environments in the folder after the edits. */
  readonly environments: number;
  /** Edits the folder did not allow, with the reason. */
  readonly skipped: readonly string[];
  /** dist/ paths (files or folder prefixes) that prove an edit was rendered. */
  readonly expected: readonly string[];
  /** dist/ folder prefixes that must be gone (the removed app). */
  readonly absent: readonly string[];
  /** The live DNS stack and the cluster it must now read. */
  readonly liveDns?: { readonly stack: string; readonly cluster: string };
  /** The cluster stack and the name of the added node group. */
  readonly nodeGroup?: { readonly stack: string; readonly name: string };
}

/** The environment files of a config folder, parsed, by file name. */
export function environmentsOf(dir: string): Map<string, Raw> {
  const files = readdirSync(dir)
    .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
    .sort();
  return new Map(files.map((name) => [name, parse(readFileSync(join(dir, name), 'utf8')) as Raw]));
}

const unused = (candidates: readonly string[], taken: readonly string[]): string | undefined =>
  candidates.find((c) => !taken.includes(c));

/** Applies the edits to the environment files of `dir`, in place; `dir` must hold an environment. */
export function applyOrdinaryEdits(dir: string): OrdinaryEdits {
  const envs = environmentsOf(dir);
  const before = new Map([...envs].map(([file, raw]) => [file, JSON.stringify(raw)]));
  const skipped: string[] = [];
  const expected: string[] = []; // files of dist/ that prove each edit was rendered
  const absent: string[] = []; // files of dist/ that prove the removal
  let liveDns: { stack: string; cluster: string } | undefined;
  let nodeGroup: { stack: string; name: string } | undefined;

  // The environment with the most clusters gets the blue/green edits, the one with the most apps
  // the app edits. YAML objects are edited, not text, so the team's layout and comments do not matter.
  const entries = [...envs.entries()];
  const [, multi] = entries.reduce((best, e) =>
    (e[1].clusters?.length ?? 0) > (best[1].clusters?.length ?? 0) ? e : best,
  );
  const [, mostApps] = entries.reduce((best, e) =>
    (e[1].apps?.length ?? 0) > (best[1].apps?.length ?? 0) ? e : best,
  );
  const withApps = (mostApps.apps?.length ?? 0) > 0 ? mostApps : undefined;

  // A new environment: its own file, name, account, CIDR, zones, DNS zones and state bucket.
  const [baseFile, base] = entries[0] as [string, Raw];
  const names = entries.map(([, raw]) => String(raw.name));
  // Stack names are <environment>-<color|network|live-dns>: a name must not prefix another.
  const taken = (c: string) => names.some((n) => n === c || n.startsWith(`${c}-`) || c.startsWith(`${n}-`));
  const name = ['qa', 'qa2', 'qa3', 'adopted', 'adopted2'].find((c) => !taken(c)) ?? 'adopted3';
  const accounts = entries.map(([, raw]) => String(raw.account));
  const account = unused(['999999999999', '999999999998', '999999999997'], accounts) as string;
  const octets = entries.map(([, raw]) => String(raw.network?.cidr ?? '').split('.')[1] ?? '');
  const octet = unused(
    Array.from({ length: 100 }, (_, i) => String(150 + i)),
    octets,
  ) as string;
  const added = structuredClone(base);
  added.name = name;
  if (added.tags?.environment !== undefined) added.tags.environment = name;
  const oldAccount = String(base.account);
  added.account = account;
  for (const entry of added.access ?? []) entry.roleArn = String(entry.roleArn).replace(oldAccount, account);
  added.network.cidr = `10.${octet}.0.0/16`;
  const zones: string[] = added.network.availabilityZones ?? [];
  if (zones.length >= 3) {
    // Its own zones: one zone fewer than the environment it was copied from.
    added.network.availabilityZones = zones.slice(0, -1);
    for (const cluster of added.clusters ?? []) {
      for (const group of cluster.nodeGroups ?? []) {
        if (!Array.isArray(group.availabilityZones)) continue;
        group.availabilityZones = group.availabilityZones.filter((z: string) =>
          zones.slice(0, -1).includes(z),
        );
        if (group.availabilityZones.length === 0) delete group.availabilityZones;
      }
    }
  }
  added.dns = {
    private: { zone: `${name}.${base.dns.private.zone}`, zoneId: 'Z0ADOPTEDPRIVATE' },
    public: { zone: `${name}.${base.dns.public.zone}`, zoneId: 'Z0ADOPTEDPUBLIC' },
  };
  if (added.backend?.s3) added.backend.s3.bucket = `tfstate-${name}-${account}`;
  envs.set(`${name}${extname(baseFile)}`, added);
  expected.push(`infra/${name}-network.tf.json`);
  for (const cluster of added.clusters ?? []) expected.push(`infra/${name}-${cluster.color}.tf.json`);

  // A node group: a copy of the first group of the first cluster, smaller, under a new name.
  const cluster = multi.clusters?.[0];
  if (cluster?.nodeGroups?.length) {
    const group = structuredClone(cluster.nodeGroups[0]);
    group.name = unused(
      ['extra', 'extra2', 'adopted'],
      cluster.nodeGroups.map((g: Raw) => g.name),
    );
    group.minSize = 0;
    delete group.desiredSize;
    cluster.nodeGroups.push(group);
    nodeGroup = {
      stack: `infra/${multi.name}-${cluster.color}.tf.json`,
      name: `${multi.name}-${cluster.color}-${group.name}`,
    };
  } else skipped.push('add a node group: no cluster with a node group');

  // A third cluster (or one more), then live switched to another color.
  const colors: string[] = (multi.clusters ?? []).map((c: Raw) => String(c.color));
  if (colors.length > 0) {
    const copy = structuredClone(multi.clusters[colors.length - 1]);
    copy.color = unused(['teal', 'amber', 'violet', 'third'], colors);
    multi.clusters.push(copy);
    expected.push(`infra/${multi.name}-${copy.color}.tf.json`, `${multi.name}-${copy.color}/argocd`);
    const live = colors.find((c) => c !== multi.live) ?? copy.color;
    multi.live = live;
    liveDns = { stack: `infra/${multi.name}-live-dns.tf.json`, cluster: `${multi.name}-${live}` };
  } else skipped.push('add a cluster and switch live: no environment has a cluster');

  // An app added (a copy of the first, in its own namespace) and one removed.
  if (withApps) {
    const apps: Raw[] = withApps.apps;
    const app = structuredClone(apps[0] as Raw);
    app.name = unused(
      ['adopted', 'adopted2', 'adopted3'],
      apps.map((a) => a.name),
    );
    app.namespace = app.name;
    app.dns = { private: app.name }; // the copied public record is the other app's
    if (apps.length >= 2) {
      const removed = apps.pop() as Raw;
      for (const c of withApps.clusters ?? [])
        absent.push(`${withApps.name}-${c.color}/apps-${removed.name}/`);
    } else skipped.push('remove an app: the environment with apps has only one');
    apps.push(app);
    for (const c of withApps.clusters ?? []) {
      if (app.clusters === undefined || app.clusters.includes(c.color)) {
        expected.push(`${withApps.name}-${c.color}/apps-${app.name}/namespace_${app.name}.yaml`);
      }
    }
  } else skipped.push('add and remove an app: no environment has an app');

  // Only the files edited are rewritten (the others keep their comments and layout).
  for (const [file, raw] of envs) {
    if (before.get(file) !== JSON.stringify(raw)) writeFileSync(join(dir, file), stringify(raw));
  }
  return { environments: envs.size, skipped, expected, absent, liveDns, nodeGroup };
}
