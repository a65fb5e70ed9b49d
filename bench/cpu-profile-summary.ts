/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of the render and says where the time goes: loading
 * modules versus rendering, self time by package, and the project's functions by inclusive time.
 * Function names are read from the profile, so the summary follows the code as it changes.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

/** The `.cpuprofile` format of the V8 inspector protocol (Profiler.Profile). */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** Microseconds since the previous sample. */
  readonly timeDeltas: readonly number[];
}

export interface CpuProfileSummary {
  readonly totalMs: number;
  /** Resolving, reading, transpiling, compiling and running the top-level code of modules. */
  readonly loadingMs: number;
  readonly garbageCollectionMs: number;
  readonly idleMs: number;
  /** Self time by package (`cdktf`, `@cdktf/provider-aws`, `node internals`, `project: cli`...). */
  readonly selfByPackage: ReadonlyArray<readonly [string, number]>;
  /** Inclusive time of the project's named functions (`render cli/render.ts`). */
  readonly projectFunctions: ReadonlyArray<readonly [string, number]>;
  /** Inclusive time of known costs that cut across packages (see NOTABLE). */
  readonly notable: ReadonlyArray<readonly [string, number]>;
}

/**
 * Costs found by profiling this render that no package or project function shows alone: cdktf
 * captures a full stack trace for every token it creates (cdktf/lib/tokens/private/stack-trace.js,
 * Error.stackTraceLimit raised to the maximum), and under tsx every frame of it is looked up in a
 * source map.
 */
const NOTABLE: ReadonlyArray<readonly [string, (frame: CallFrame) => boolean]> = [
  [
    'stack traces captured by cdktf tokens',
    (f) => f.functionName === 'captureStackTrace' && f.url.includes('/cdktf/'),
  ],
  ['source-map lookups (stack traces, compiling)', (f) => f.url.startsWith('node:internal/source_map/')],
  [
    'cdktf App.synth (resolve tokens, write cdk.tf.json)',
    (f) => f.functionName === 'synth' && /\/cdktf\/lib\/app\.js$/.test(f.url),
  ],
  [
    'file writes',
    (f) => ['writeFileSync', 'renameSync', 'mkdirSync', 'rmSync', 'unlinkSync'].includes(f.functionName),
  ],
];

const SPECIAL = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);

function isModuleLoading(frame: CallFrame): boolean {
  return frame.url.startsWith('node:internal/modules/');
}

/** `project: infra` for the repository's own files, the package name under node_modules. */
function packageOf(frame: CallFrame, root: string): string {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const url = frame.url.replace(/^file:\/\//, '');
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1] ?? url;
  if (url.startsWith(`${root}/`)) return `project: ${url.slice(root.length + 1).split('/')[0]}`;
  if (url.startsWith('node:internal/modules/')) return 'node: module loader';
  if (url.startsWith('node:')) return 'node: other internals';
  if (url === '') return 'native code';
  return url.startsWith('wasm://') ? 'wasm (cjs-module-lexer)' : url;
}

function projectFunction(frame: CallFrame, root: string): string | undefined {
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url.startsWith(`${root}/`) || url.includes('/node_modules/') || frame.functionName === '')
    return undefined;
  return `${frame.functionName} ${url.slice(root.length + 1)}`;
}

export function summarizeCpuProfile(profile: CpuProfile, root: string): CpuProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  let totalMs = 0;
  let loadingMs = 0;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const notable = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);

  profile.samples.forEach((sampleId, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(sampleId);
    if (!leaf) return;
    totalMs += ms;
    add(self, packageOf(leaf.callFrame, root), ms);
    // Walking from the leaf up: a module loader frame met before any named project function means
    // this sample is loading code (also a lazy require inside a function); otherwise it is the
    // work of every project function on the stack.
    let decided = false;
    let loading = false;
    const seen = new Set<string>();
    for (let id: number | undefined = sampleId; id !== undefined; id = parentOf.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (!frame) break;
      for (const [label, matches] of NOTABLE) {
        if (!seen.has(label) && matches(frame)) {
          seen.add(label);
          add(notable, label, ms);
        }
      }
      if (!decided && !loading && isModuleLoading(frame)) {
        loadingMs += ms;
        loading = true;
      }
      if (loading) continue;
      const name = projectFunction(frame, root);
      if (name !== undefined) {
        decided = true;
        if (!seen.has(name)) add(inclusive, name, ms);
        seen.add(name);
      }
    }
  });

  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    totalMs,
    loadingMs,
    garbageCollectionMs: self.get('(garbage collector)') ?? 0,
    idleMs: self.get('(idle)') ?? 0,
    selfByPackage: sorted(self),
    projectFunctions: sorted(inclusive),
    notable: NOTABLE.map(([label]) => [label, notable.get(label) ?? 0] as const),
  };
}

export function formatCpuProfileSummary(summary: CpuProfileSummary, top = 12): string {
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const share = (value: number) => `${((100 * value) / summary.totalMs).toFixed(0)}%`;
  const lines = [
    `sampled ${ms(summary.totalMs)}:`,
    `  loading modules (resolve, read, transpile, compile, top-level code): ${ms(summary.loadingMs)} (${share(summary.loadingMs)})`,
    `  garbage collection: ${ms(summary.garbageCollectionMs)} (${share(summary.garbageCollectionMs)}); idle: ${ms(summary.idleMs)}`,
    'notable costs, inclusive:',
    ...summary.notable.map(([name, value]) => `  ${name}: ${ms(value)} (${share(value)})`),
    'self time by package:',
    ...summary.selfByPackage
      .slice(0, top)
      .map(([name, value]) => `  ${name}: ${ms(value)} (${share(value)})`),
    "the project's functions, inclusive time (module loading excluded):",
    ...summary.projectFunctions
      .slice(0, top)
      .map(([name, value]) => `  ${name}: ${ms(value)} (${share(value)})`),
  ];
  return lines.join('\n');
}
