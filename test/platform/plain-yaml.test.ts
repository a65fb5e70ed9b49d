import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { generateAppPlatform } from '../../bench/platform-generator';
import { parsePlainYaml } from '../../platform/plain-yaml';
import { FIXTURE_CONFIG, FIXTURE_ENVIRONMENTS, fixtureText } from '../helpers';

/** What parseConfig reads with the yaml package; undefined when the yaml package reports an error. */
function yamlPackage(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 10_000 });
  } catch {
    return undefined;
  }
}

/** Object.is on every leaf, so -0, NaN and key order count. */
function same(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** The fast reader either leaves the text to the yaml package or returns exactly what it returns. */
function expectAgreement(text: string): unknown {
  const fast = parsePlainYaml(text);
  if (fast !== undefined) {
    const reference = yamlPackage(text);
    expect(reference, text).toBeDefined();
    expect(same(fast, reference), `${text}\n${JSON.stringify(fast)}\n${JSON.stringify(reference)}`).toBe(
      true,
    );
  }
  return fast;
}

describe('parsePlainYaml', () => {
  it('reads every fixture environment exactly as the yaml package does', () => {
    for (const env of FIXTURE_ENVIRONMENTS) {
      const text = readFileSync(join(FIXTURE_CONFIG, `${env}.yaml`), 'utf8');
      expect(parsePlainYaml(text), env).toBeDefined();
      expectAgreement(text);
    }
  });

  it('reads a generated 2,000-app platform exactly as the yaml package does', () => {
    const [file] = generateAppPlatform(fixtureText('prod'), { apps: 2000 });
    const text = file?.text ?? '';
    expect(parsePlainYaml(text)).toBeDefined();
    expectAgreement(text);
  });

  it('resolves plain scalars with the core schema as the yaml package does', () => {
    const values = [
      '42',
      '-7',
      '+5',
      '007',
      '0o17',
      '0x1F',
      '1e3',
      '1.50',
      '.5',
      '-.inf',
      '.NaN',
      '~',
      'null',
      'Null',
      'NULL',
      'true',
      'False',
      'TRUE',
      'yes',
      'on',
      '123456789012345678901234567890',
      '10.0.0.0/16',
      'a#b',
      'http://x/#frag',
      'a :b',
      '?x',
      'x y z',
      "it's",
      'say "hi"',
      '"quoted"',
      "'single'",
      '"with # hash"',
      '"111111111111"',
      "''",
      '""',
      '[]',
      '{}',
      'value # comment',
      '"x" # comment',
    ];
    for (const value of values) {
      expect(expectAgreement(`key: ${value}\n`), value).toBeDefined();
      expect(expectAgreement(`list:\n  - ${value}\n`), value).toBeDefined();
    }
  });

  it('reads nested, compact and commented collections as the yaml package does', () => {
    const documents = [
      'a:\n  b:\n    c: 1\n  d: two\ne: [] # none\n',
      'items:\n- a\n- b\nnext: 1\n',
      'items:\n  - name: a\n    port: 80\n  - name: b\n    tags:\n      - x\n      -   y\n',
      'matrix:\n  - - 1\n    - 2\n  - - 3\n',
      'empty:\nalso: # nothing\nlist:\n  -\n  - # none\n  -\n    k: v\n',
      '  indented: 1\n  top: level\n',
      '# header\n\nkey: 1\n   # odd comment\nother: "#"\n',
      'a:\n    deep: 1\n    deeper:\n      - x\n',
      '-   name: x\n',
      'a: [1, "two", system:masters, { k: v }] # flow\nb: { x: 1, y: [2, 3] }\nc:\n  { long: true, n: 2 }\nd:\n  - [x]\n',
    ];
    for (const text of documents) expectAgreement(text);
    expect(parsePlainYaml(documents[0] as string)).toEqual({ a: { b: { c: 1 }, d: 'two' }, e: [] });
  });

  it('leaves to the yaml package what it does not read itself', () => {
    const documents = [
      'a: &x 1\nb: *x\n',
      'defaults: &d\n  a: 1\nuse:\n  <<: *d\n',
      'a: 1\na: 2\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      'a: long\n  continued\n',
      'a:\n  value on its own line\n',
      'a: "esc\\"aped"\n',
      "a: 'it''s'\n",
      'a: [1,\n  2]\n',
      'a: [a]: b\n',
      'a: [*x]\n',
      'a: {b: 1} trailing\n',
      'a:\n  [1]\n  b: 2\n',
      '"quoted key": 1\n',
      'a:\tb\n',
      'a: b\r\n',
      'a: caf\u00e9\n',
      '---\na: 1\n',
      'a: b: c\n',
      'a: b:\n',
      'a:b\n',
      'a : b\n',
      'true: 1\n',
      'null: 1\n',
      '__proto__: 1\n',
      '- a\n- b\n',
      'scalar\n',
      '',
      'a:\n  - x\n  b: y\n',
      'a:\n    b: 1\n  c: 2\n',
      'a: - b\n',
      'a: "x" y\n',
    ];
    for (const text of documents) expect(parsePlainYaml(text), text).toBeUndefined();
  });

  it('agrees with the yaml package on random documents made of plain YAML lines', () => {
    // A fixed pseudo-random sequence: the same documents on every run.
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const keys = ['a', 'b', 'name', 'true', 'x.y/z', 'k-1', '_k'];
    const scalars = [
      '1',
      '-2',
      '0x10',
      '1.0',
      '.inf',
      '~',
      '',
      'null',
      'text',
      '"q"',
      "'s'",
      'a#b',
      'v # c',
      '[]',
      '{}',
      'a: b',
      '- x',
      '*x',
      '&y z',
      '|',
      '"x',
      '[a, 1]',
      '{ k: v }',
      '[a: b]',
      '[a,]',
      '{ a }',
      '[x',
      'sys:admin',
      '[b:c]',
    ];
    const forms = [
      (i: string) =>
        `${i}${keys[random(keys.length)]}:${((s) => (s === '' ? '' : ` ${s}`))(scalars[random(scalars.length)] as string)}`,
      (i: string) => `${i}- ${scalars[random(scalars.length)]}`,
      (i: string) => `${i}- ${keys[random(keys.length)]}: ${scalars[random(scalars.length)]}`,
      (i: string) => `${i}-`,
      (i: string) => `${i}# comment`,
      (i: string) => `${i}  ${scalars[random(scalars.length)]}`,
      () => '',
    ];
    let read = 0;
    for (let n = 0; n < 6000; n++) {
      const lines = Array.from({ length: 1 + random(8) }, () => {
        const indent = ' '.repeat(2 * random(3));
        return (forms[random(forms.length)] as (i: string) => string)(indent);
      });
      if (expectAgreement(`${lines.join('\n')}\n`) !== undefined) read++;
    }
    // The generator must exercise the reader, not only its refusals.
    expect(read).toBeGreaterThan(400);
  });

  it('reads what the yaml package writes for nested plain data', () => {
    const value = {
      name: 'x',
      list: [{ a: 1, b: [true, null, 'yes'] }, [], {}, [['n']]],
      nested: { deep: { deeper: '0x1F', number: 1.5, text: 'a: b' } },
    };
    const text = stringify(value);
    const fast = parsePlainYaml(text);
    if (fast !== undefined) expect(fast).toEqual(value);
    expectAgreement(text);
  });
});
