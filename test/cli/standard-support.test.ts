import { describe, expect, it } from 'vitest';
import type { Rendering } from '../../cli/render';
import { standardSupportRule } from '../../cli/rules/standard-support';
import { fixtureConfig, renderConfigs } from '../helpers';
import { violationsOf } from './rule-violations';

describe('rule standard-support', () => {
  const prod = fixtureConfig('prod');
  const base = renderConfigs([prod]);
  const mutated = (edit: (stacks: any[]) => void): Rendering => {
    const stacks = structuredClone(base.stacks) as any[];
    edit(stacks);
    return { ...base, stacks };
  };
  const json = (stacks: any[], name: string) => stacks.find((s) => s.name === name).json;

  it('passes the fixture, whose clusters are on STANDARD support', () => {
    expect(violationsOf(standardSupportRule, { stacks: base.stacks, configs: [prod] })).toEqual([]);
  });

  it('fails a cluster without an upgrade policy, one on another policy than config, and one without the plan-time check', () => {
    const r = mutated((stacks) => {
      delete json(stacks, 'prod-blue').resource.aws_eks_cluster.cluster.upgrade_policy;
      json(stacks, 'prod-green').resource.aws_eks_cluster.cluster.upgrade_policy.support_type = 'EXTENDED';
      delete json(stacks, 'prod-green').check;
    });
    expect(
      violationsOf(standardSupportRule, { stacks: r.stacks, configs: [prod] }).map(
        (v) => `${v.file}: ${v.message}`,
      ),
    ).toEqual([
      'infra/prod-blue.tf.json: aws_eks_cluster.cluster has no upgrade_policy.support_type: EKS then applies EXTENDED support, billed at the extended rate; config clusters[color=blue].supportType is STANDARD',
      'infra/prod-green.tf.json: aws_eks_cluster.cluster upgrade_policy.support_type is EXTENDED, but config clusters[color=green].supportType is STANDARD',
      'infra/prod-green.tf.json: aws_eks_cluster.cluster is on STANDARD support but the stack has no check.standard_support: nothing warns when Kubernetes 1.35 leaves standard support and EKS upgrades the control plane itself',
    ]);
  });
});
