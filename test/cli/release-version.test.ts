import { beforeAll, describe, expect, it } from 'vitest';
import type { Rendering } from '../../cli/render';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { releaseVersionRule } from '../../cli/rules/release-version';
import { formatViolation } from '../../cli/rules/violation';
import type { PlatformConfig } from '../../platform/schema';
import { fixtureConfig, renderConfigs } from '../helpers';
import { violationsOf } from './rule-violations';

let prod: PlatformConfig;
let base: Rendering;

beforeAll(() => {
  prod = fixtureConfig('prod');
  base = renderConfigs([prod]);
});

/** A deep copy of the fixture rendering whose prod-blue stack is changed by `edit`. */
function withProdBlue(edit: (json: any) => void): Rendering {
  const stacks = structuredClone(base.stacks) as any[];
  edit(stacks.find((s) => s.name === 'prod-blue').json);
  return { ...base, stacks };
}

describe('rule release-version', () => {
  it('passes the fixture, which pins a release on a node group', () => {
    expect(violationsOf(releaseVersionRule, { stacks: base.stacks })).toEqual([]);
    const pinned = base.stacks.flatMap((s) =>
      Object.values(((s.json as any).resource?.aws_eks_node_group ?? {}) as Record<string, any>).filter(
        (g) => g.release_version !== undefined,
      ),
    );
    expect(pinned.length).toBeGreaterThan(0);
  });

  it("fails a node group whose release is of another minor than its cluster's, naming the file and field", () => {
    const r = withProdBlue((json) => {
      json.resource.aws_eks_node_group.stateful.release_version = '1.35.0-20251201';
    });
    expect(violationsOf(releaseVersionRule, { stacks: r.stacks }).map(formatViolation)).toEqual([
      '[release-version] dist/infra/prod-blue.tf.json: aws_eks_node_group.stateful.release_version: 1.35.0-20251201 is a release of Kubernetes 1.35 but the cluster runs 1.34: the minors must be equal',
    ]);
    // npm run check runs it.
    expect(
      runRules(ALL_RULES, { rendering: r, configs: [prod] }).filter((v) => v.rule === 'release-version'),
    ).toHaveLength(1);
  });

  it('fails a release that is not an EKS AMI release version', () => {
    const r = withProdBlue((json) => {
      json.resource.aws_eks_node_group.stateful.release_version = 'latest';
    });
    expect(violationsOf(releaseVersionRule, { stacks: r.stacks }).map((v) => v.message)).toEqual([
      'aws_eks_node_group.stateful.release_version: "latest" is not an EKS AMI release such as 1.34.2-20251112',
    ]);
  });
});
