import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksDocs } from '../../cli/checks-docs';
import { configurationDocs } from '../../cli/configuration-docs';
import { ALL_RULES } from '../../cli/rules/all-rules';
import { terraformReferencesRule } from '../../cli/rules/terraform-references';
import { schemaFiles, staleSchemaFiles, writeSchemaFiles } from '../../cli/schema-files';
import { platformJsonSchema } from '../../platform/schema';
import { ROOT } from '../helpers';
import { tempDir } from './run-cli';

type Schema = Record<string, any>;

/** Every named field of the JSON Schema, by path (`clusters[].nodeGroups[].minSize`). */
function fields(schema: Schema, path = ''): [string, Schema][] {
  const own = Object.entries<Schema>(schema.properties ?? {}).flatMap(([name, field]) => {
    const at = `${path === '' ? '' : `${path}.`}${name}`;
    return [[at, field] as [string, Schema], ...fields(field, at)];
  });
  const items = schema.items ? fields(schema.items, `${path}[]`) : [];
  const values =
    typeof schema.additionalProperties === 'object'
      ? fields(schema.additionalProperties, `${path}.<key>`)
      : [];
  return [...own, ...items, ...values];
}

describe('the generated schema files', () => {
  it('are up to date in the repository (run `npm run schema` and commit when this fails)', () => {
    expect(staleSchemaFiles(ROOT)).toEqual([]);
  });

  it('name a generated file that is missing or was edited by hand', () => {
    const root = tempDir('schema-files');
    const generated = ['config/schema.json', 'docs/configuration.md', 'docs/checks.md'];
    expect(staleSchemaFiles(root)).toEqual(generated);
    expect(writeSchemaFiles(root)).toEqual(generated);
    expect(staleSchemaFiles(root)).toEqual([]);
    writeFileSync(join(root, 'docs', 'configuration.md'), 'edited by hand\n');
    writeFileSync(
      join(root, 'docs', 'checks.md'),
      `${readFileSync(join(root, 'docs', 'checks.md'), 'utf8')}\n`,
    );
    expect(staleSchemaFiles(root)).toEqual(['docs/configuration.md', 'docs/checks.md']);
  });

  it('describe every field for a user, with no raw @default tag', () => {
    const all = fields(platformJsonSchema());
    expect(all.length).toBeGreaterThan(100);
    for (const [path, field] of all) {
      expect(field.description, path).toMatch(/\w/);
      expect(field.description, path).not.toContain('@default');
    }
  });

  it('carry defaults, the Kubernetes versions and sizes per zone in the JSON Schema', () => {
    const schema = platformJsonSchema() as Schema;
    const cluster = schema.properties.clusters.items.properties;
    const group = cluster.nodeGroups.items.properties;
    expect(cluster.kubernetesVersion.enum).toEqual(['1.32', '1.33', '1.34', '1.35']);
    expect(group.capacityType.default).toBe('ON_DEMAND');
    expect(group.diskSizeGiB.default).toBe(50);
    expect(schema.properties.addons.properties.overprovisioning.properties.max.default).toBe(10);
    expect(group.minSize.description).toContain('per availability zone when perAz is true');
  });
});

describe('docs/configuration.md', () => {
  const docs = schemaFiles()['docs/configuration.md'] ?? '';

  it('lists every field path with its type, default and description', () => {
    const schema = platformJsonSchema();
    for (const [path] of fields(schema).filter(([p]) => !p.includes('<key>'))) {
      expect(docs, path).toContain(`| \`${path}\` |`);
    }
    expect(docs).toContain(
      '| `clusters[].nodeGroups[].capacityType` | one of `ON_DEMAND`, `SPOT` | `"ON_DEMAND"` |',
    );
    expect(docs).toContain(
      '| `clusters[].kubernetesVersion` | one of `1.32`, `1.33`, `1.34`, `1.35` | required |',
    );
    expect(docs).toContain('| `clusters[].nodeGroups[].maxSize` | integer, 1 to 450 | required |');
  });

  it('keeps placeholders visible in Markdown and cells on one line', () => {
    const rows = docs.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) {
      // A bare <name> would be read as an HTML tag and hidden.
      expect(row.replace(/`[^`]*`/g, '')).not.toMatch(/<\w+>/);
    }
    expect(configurationDocs({ properties: { a: { type: 'string', description: 'x | y' } } })).toContain(
      '| `a` | string | optional | x \\| y |',
    );
  });

  it('is the committed docs/configuration.md', () => {
    expect(readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8')).toBe(docs);
  });
});

describe('docs/checks.md', () => {
  const docs = schemaFiles()['docs/checks.md'] ?? '';

  it('has one row per rule, in the order check runs them, with its summary', () => {
    const rows = docs.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([\w-]+)` \|/.exec(row)?.[1])).toEqual(ALL_RULES.map((r) => r.id));
    for (const rule of ALL_RULES) {
      expect(rule.summary, rule.id).toMatch(/^[A-Z].*\.$/);
      expect(docs).toContain(`| \`${rule.id}\` | ${rule.summary}`);
    }
  });

  it('says how to write an exception, and which findings cannot carry one', () => {
    expect(docs).toContain('`policy.eks-platform.io/exception-<rule>: <reason>`');
    expect(docs).toContain('`"//"` object');
    expect(docs).toContain("`recordRuleException(resource, '<rule>', '<reason>')`");
    expect(docs).toContain('empty or blank reason does not count');
    expect(docs).toContain(`No exception possible for ${terraformReferencesRule.withoutSubject}`);
  });

  it('keeps a table cell on one line and escapes its pipes', () => {
    const text = checksDocs([{ id: 'x', summary: 'a | b\n  c.', check: () => [] }]);
    expect(text).toContain('| `x` | a \\| b c. |');
  });

  it('is the committed docs/checks.md', () => {
    expect(readFileSync(join(ROOT, 'docs', 'checks.md'), 'utf8')).toBe(docs);
  });
});
