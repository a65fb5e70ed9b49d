/**
 * The import rules of the developers' guide, as a scanner over source text (no TypeScript
 * compiler: an import statement is simple enough to read with a pattern, and the scanner is
 * itself tested on planted violations in test/architecture.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

export interface SourceFile {
  /** Relative to the repository root, with `/`, e.g. `platform/load.ts`. */
  readonly path: string;
  readonly text: string;
}

export interface Import {
  readonly specifier: string;
  /** `import type …` / `export type …`: erased at compile time, reads nothing at run time. */
  readonly typeOnly: boolean;
}

/** The layers whose imports are checked. Tests may import anything. */
export const SOURCE_DIRS = ['platform', 'infra', 'manifests', 'cli', 'bench'] as const;

/** Files that may read files and process.env: the commands, the bench, and the two entry points. */
const MAY_READ_FILES = [/^cli\//, /^bench\//, /^infra\/main\.ts$/, /^manifests\/main\.ts$/];

const FS_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);

/** Comments out of the way, so a comment that mentions process.env or an import is not one. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

export function importsOf(text: string): Import[] {
  const code = withoutComments(text);
  const imports: Import[] = [];
  const statement = /\b(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(statement)) {
    imports.push({ specifier: m[3] ?? '', typeOnly: m[2] !== undefined });
  }
  for (const m of code.matchAll(/\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    imports.push({ specifier: m[1] ?? '', typeOnly: false });
  }
  return imports;
}

/** The repository path a relative specifier points to (`../platform/names` from infra/x.ts → platform/names). */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return posix.normalize(posix.join(posix.dirname(file), specifier));
}

const layerOf = (path: string) => path.split('/')[0] ?? '';

export function violations(files: readonly SourceFile[]): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    const layer = layerOf(path);
    for (const { specifier, typeOnly } of importsOf(text)) {
      const to = target(path, specifier);
      const toLayer = to === undefined ? undefined : layerOf(to);
      const at = `${path} imports '${specifier}'`;
      if (layer === 'platform' && toLayer !== undefined && toLayer !== 'platform') {
        found.push(`${at}: platform/ imports nothing from infra/, manifests/, cli/ or bench/`);
      }
      if (
        (layer === 'infra' || layer === 'manifests') &&
        toLayer !== undefined &&
        ![layer, 'platform'].includes(toLayer)
      ) {
        found.push(`${at}: ${layer}/ imports only platform/ and its own files`);
      }
      if ((specifier === 'cdktf' || specifier.startsWith('@cdktf/')) && layer !== 'infra') {
        found.push(`${at}: cdktf is imported only in infra/`);
      }
      if (/^@cdktf\/provider-[^/]+(\/lib)?\/?$/.test(specifier)) {
        found.push(
          `${at}: import provider classes by deep path (e.g. @cdktf/provider-aws/lib/eks-cluster): the package root loads every resource class`,
        );
      }
      if (FS_MODULES.has(specifier) && !typeOnly && !MAY_READ_FILES.some((p) => p.test(path))) {
        found.push(
          `${at}: only cli/, bench/ and the entry points (infra/main.ts, manifests/main.ts) read files`,
        );
      }
    }
    if (/\bprocess\.env\b/.test(withoutComments(text)) && !MAY_READ_FILES.some((p) => p.test(path))) {
      found.push(
        `${path} reads process.env: only cli/, bench/ and the entry points (infra/main.ts, manifests/main.ts) read the environment`,
      );
    }
  }
  return found;
}

/** Every TypeScript and CommonJS source of the checked layers. */
export function sourceFiles(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|cjs|mjs|js)$/.test(entry.name)) continue;
      const full = join(entry.parentPath, entry.name);
      files.push({ path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
