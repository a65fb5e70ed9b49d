import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../platform/load';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { one, ref } from './stack-json';

describe('cluster upgrade policy', () => {
  const prod = fixtureConfig('prod', (raw) => {
    raw.clusters[1].supportType = 'EXTENDED';
  });
  const rendering = renderConfigs([prod]);
  const blue = stackOf(rendering, 'prod-blue');
  const green = stackOf(rendering, 'prod-green');
  const cluster = (stack = blue) => one(resourcesOf(stack, 'aws_eks_cluster'), 'cluster');

  it('puts every cluster on STANDARD support unless its config chooses EXTENDED', () => {
    expect(prod.clusters[0]?.supportType).toBe('STANDARD');
    expect(cluster().upgrade_policy).toEqual({ support_type: 'STANDARD' });
    expect(cluster(green).upgrade_policy).toEqual({ support_type: 'EXTENDED' });
  });

  it("warns at plan time once a STANDARD cluster's minor has left standard support", () => {
    const checks = blue.json.check as Record<string, any>;
    expect(checks.standard_support.assert).toEqual([
      {
        // Kubernetes 1.34 (prod blue): end of standard support on the EKS calendar.
        condition: ref('timecmp(plantimestamp(), "2026-12-02T00:00:00Z") < 0'),
        error_message: expect.stringContaining(
          'Kubernetes 1.34 left EKS standard support on 2026-12-02: with supportType STANDARD, EKS upgrades the control plane itself.',
        ),
      },
    ]);
    // An EXTENDED cluster stays on its minor (billed): nothing to warn about.
    expect(green.json.check).toBeUndefined();
  });

  it('rejects a support type EKS does not know', () => {
    expect(() =>
      fixtureConfig('prod', (raw) => {
        raw.clusters[0].supportType = 'LTS';
      }),
    ).toThrow(ConfigError);
    try {
      fixtureConfig('prod', (raw) => {
        raw.clusters[0].supportType = 'LTS';
      });
    } catch (error) {
      expect((error as Error).message).toContain('clusters[0].supportType');
    }
  });
});
