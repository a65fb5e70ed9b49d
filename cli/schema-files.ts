/**
 * The files generated and committed: from the configuration schema, the JSON Schema editors read
 * and the Markdown reference; from the check rules, their list. `npm run schema` writes them;
 * `npm run check` fails when one differs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { platformJsonSchema } from '../platform/schema';
import { checksDocs } from './checks-docs';
import { configurationDocs } from './configuration-docs';
import { ALL_RULES } from './rules/all-rules';

/** Repository-relative path -> the text it must hold. */
export function schemaFiles(): Readonly<Record<string, string>> {
  const schema = platformJsonSchema();
  return {
    'config/schema.json': `${JSON.stringify(schema, null, 2)}\n`,
    'docs/configuration.md': configurationDocs(schema),
    'docs/checks.md': checksDocs(ALL_RULES),
  };
}

/** Writes the generated files under `root`; returns their paths. */
export function writeSchemaFiles(root: string): string[] {
  return Object.entries(schemaFiles()).map(([path, text]) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    return path;
  });
}

/** The generated files under `root` that are missing or differ from what the schema generates. */
export function staleSchemaFiles(root: string): string[] {
  return Object.entries(schemaFiles())
    .filter(([path, text]) => readOr(join(root, path)) !== text)
    .map(([path]) => path);
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
