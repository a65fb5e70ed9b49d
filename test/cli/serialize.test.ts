import { describe, expect, it } from 'vitest';
import { fastYaml, kubernetesYaml, yamlPackageOutput } from '../../cli/serialize';
import { fixtureConfig, renderConfigs } from '../helpers';

const HEAD = ['apiVersion', 'kind', 'metadata'];

/** Strings whose plain, quoted or refused form the emitter must decide exactly as the yaml package. */
const STRINGS = [
  '',
  ' ',
  'a',
  'web',
  'app.kubernetes.io/name',
  '-3',
  '-',
  '--',
  '-a',
  '- a',
  '?',
  '? a',
  '?a',
  '0',
  '42',
  '+1',
  '-0',
  '007',
  '0o17',
  '0x1F',
  '1e3',
  '1.5',
  '.5',
  '5.',
  '-.inf',
  '.NaN',
  '.nan',
  'true',
  'True',
  'TRUE',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'null',
  'Null',
  'NULL',
  '~',
  'y',
  'n',
  'a: b',
  'a:b',
  'a:',
  ':a',
  'a #b',
  'a#b',
  '#a',
  'a ',
  ' a',
  'a  b',
  '{a}',
  'a{b}',
  '[a]',
  'a,b',
  '&a',
  '*a',
  '!a',
  '|a',
  '>a',
  '%a',
  '@a',
  '`a',
  'a@b',
  'a%b',
  '---',
  '--- a',
  '...',
  'a---',
  '0 20 * * 1-5',
  '2026-01-01',
  '2026-01-01T00:00:00Z',
  '12:30',
  '1:2:3',
  '0.0.0.0/0',
  '::1',
  '--fqdn-template={{ .Annotations.PrivateDNSName }}.devinfra.local',
  'sha256:4c8f',
  '1Gi',
  '250m',
  'a\nb',
  'a\n',
  '\na',
  'a\n\nb\n',
  '  a\nb',
  'a\tb',
  'é',
  "it's",
  'say "hi"',
  'back\\slash',
  'x'.repeat(1001),
  'x'.repeat(2000),
  '\u0007',
  '\u2028',
];
const OTHER_SCALARS = [
  0,
  1,
  -1,
  42,
  -0,
  0.5,
  1e21,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  null,
];

describe('the YAML of rendered objects', () => {
  it('is the yaml package output for every string, as a value, a key and a list item', () => {
    for (const value of STRINGS) {
      const object = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x' },
        data: { value, [value]: 'k' },
        list: [value],
      };
      expect(kubernetesYaml(object), JSON.stringify(value)).toBe(yamlPackageOutput(object, HEAD));
    }
  });

  it('is the yaml package output for numbers, booleans and null', () => {
    for (const value of OTHER_SCALARS) {
      const object = { kind: 'X', spec: { value, list: [value, { value }] } };
      expect(kubernetesYaml(object), String(value)).toBe(yamlPackageOutput(object, HEAD));
    }
  });

  it('is the yaml package output for nesting, empty collections, undefined, key order and array-index keys', () => {
    const objects: unknown[] = [
      {},
      { metadata: {}, kind: 'A', apiVersion: 'v1', b: [], a: {}, c: undefined },
      { spec: { list: [[1, [2, []]], [], {}, { a: [{ b: { c: [] } }], z: 1 }, [{ x: 1, y: [1] }]] } },
      { spec: { b: 1, a: 2, B: 3, _: 4, '-': 5, 'a.b': 6, 'a/b': 7 } },
      { data: { '10': 'a', '9': 'b', x: 'c' } },
      { data: { list: [1, undefined, 2] } },
      { data: { date: new Date(0) } },
      { data: Object.assign(Object.create(null), { b: 1, a: 2 }) },
    ];
    for (const object of objects) {
      expect(kubernetesYaml(object), JSON.stringify(object)).toBe(yamlPackageOutput(object, HEAD));
    }
  });

  it('is written by the direct emitter, and equals the yaml package output, for every rendered fixture object', () => {
    const rendering = renderConfigs([fixtureConfig('dev'), fixtureConfig('prod')]);
    const direct = rendering.objects.filter((o) => fastYaml(o.object, HEAD) !== undefined);
    // Only multi-line values (aws-auth's mapRoles) go to the yaml package.
    expect(direct.length).toBeGreaterThan(rendering.objects.length * 0.9);
    for (const { object, path } of rendering.objects) {
      expect(kubernetesYaml(object), path).toBe(yamlPackageOutput(object, HEAD));
    }
  });

  it('is the yaml package output for 2,000 random objects built from those values', () => {
    let state = 12345;
    const roll = (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return Math.floor((state / 2 ** 32) * n);
    };
    // Mostly values the direct emitter writes itself, so that it writes most of these objects.
    const all = [...STRINGS.filter((s) => s.length < 100), ...OTHER_SCALARS];
    const direct = all.filter((s) => fastYaml({ [String(s)]: s }, HEAD) !== undefined);
    const scalars = [...direct, ...direct, ...direct, ...direct, ...direct, ...direct, ...all];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? 0 : roll(4);
      if (kind === 1) return Array.from({ length: roll(4) }, () => value(depth + 1));
      if (kind === 2) {
        return Object.fromEntries(
          Array.from({ length: roll(5) }, () => [String(scalars[roll(scalars.length)]), value(depth + 1)]),
        );
      }
      return scalars[roll(scalars.length)];
    };
    let written = 0;
    for (let i = 0; i < 2000; i++) {
      const object = { kind: 'X', metadata: { name: `n${i}` }, spec: value(0), data: value(1) };
      if (fastYaml(object, HEAD) !== undefined) written++;
      expect(kubernetesYaml(object), JSON.stringify(object)).toBe(yamlPackageOutput(object, HEAD));
    }
    expect(written).toBeGreaterThan(1000);
  });

  it('writes an object the yaml package writes once per content, and tells apart what JSON conflates', () => {
    const crd = (description: string) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'x.example.com' },
      spec: { description },
    });
    const multiLine = crd('first line\nsecond line');
    expect(fastYaml(multiLine, HEAD)).toBeUndefined();
    expect(kubernetesYaml(multiLine)).toBe(yamlPackageOutput(multiLine, HEAD));
    // The same content again (another object), and content that differs in one character.
    expect(kubernetesYaml(crd('first line\nsecond line'))).toBe(yamlPackageOutput(multiLine, HEAD));
    const other = crd('first line\nsecond lime');
    expect(kubernetesYaml(other)).toBe(yamlPackageOutput(other, HEAD));
    expect(kubernetesYaml(other)).not.toBe(kubernetesYaml(multiLine));
    // Pairs JSON writes alike: each is written as the yaml package writes it.
    const conflated = [
      [null, Number.NaN],
      [0, -0],
      [null, Number.POSITIVE_INFINITY],
      [[null], [undefined]],
      [{ a: 1 }, new Map([['a', 1]])],
    ];
    for (const pair of conflated) {
      for (const value of pair) {
        const object = { ...crd('a\nb'), data: value };
        expect(kubernetesYaml(object), String(value)).toBe(yamlPackageOutput(object, HEAD));
      }
    }
  });
});
