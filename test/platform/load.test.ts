import { describe, expect, it } from 'vitest';
import { ConfigError, MAX_ALIAS_EXPANSIONS, parseConfig } from '../../platform/load';
import { fixtureText } from '../helpers';

/**
 * The fixture prod environment with `count` apps that share their settings through a merge key:
 * the first app carries the anchor (unknown keys are errors, so shared values live in a real field).
 */
function withSharedDefaults(count: number): string {
  const apps = Array.from(
    { length: count - 1 },
    (_, i) =>
      `  - <<: *defaults\n    name: app-${i + 1}\n${i % 2 === 0 ? '    replicas: { min: 1, max: 2 }\n' : ''}`,
  );
  const text = fixtureText('prod');
  const before = text.slice(0, text.indexOf('\napps:'));
  return `${before}
apps:
  - &defaults
    name: app-0
    image: 222222222222.dkr.ecr.ca-central-1.amazonaws.com/web:1.4.2
    port: 8080
    replicas: { min: 2, max: 10, targetCpuPercent: 70 }
    resources: { cpu: 250m, memory: 256Mi }
    placement: any
${apps.join('')}`;
}

describe('parseConfig, YAML anchors and merge keys', () => {
  it('accepts hundreds of apps sharing one anchor through <<, each key written next to << overriding it', () => {
    const config = parseConfig(withSharedDefaults(600), 'prod.yaml', 'prod');
    expect(config.apps).toHaveLength(600);
    const [, second, third] = config.apps;
    expect(second).toMatchObject({
      name: 'app-1',
      port: 8080,
      placement: 'any',
      replicas: { min: 1, max: 2 },
    });
    expect(third).toMatchObject({ name: 'app-2', replicas: { min: 2, max: 10, targetCpuPercent: 70 } });
    expect(third?.resources).toEqual({ cpu: '250m', memory: '256Mi' });
  });

  it('rejects an unknown key even when it only holds an anchor', () => {
    const text = `${fixtureText('prod')}\nx-defaults: &defaults { port: 8080 }\n`;
    expect(() => parseConfig(text, 'prod.yaml', 'prod')).toThrow('prod.yaml: x-defaults: unknown key');
  });

  it('rejects aliases that multiply past the limit, naming the file and the limit', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      laughs.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    }
    const text = `${fixtureText('prod')}\nlol:\n${laughs.map((l) => `  ${l}`).join('\n')}\n`;
    expect(() => parseConfig(text, 'prod.yaml', 'prod')).toThrow(
      `prod.yaml: its YAML aliases expand to more than ${MAX_ALIAS_EXPANSIONS} copies`,
    );
  });

  it('rejects an alias to an anchor that is not defined, as invalid YAML', () => {
    const text = fixtureText('prod').replace('live: blue', 'live: *nowhere');
    expect(() => parseConfig(text, 'prod.yaml', 'prod')).toThrow(ConfigError);
  });
});
