/**
 * Rule `standard-support` (issue 13): every EKS cluster sets its upgrade policy, and the policy is
 * the one config chooses — STANDARD unless the cluster's `supportType` says EXTENDED. Without an
 * `upgrade_policy` block EKS applies EXTENDED, billed at the extended-support rate once standard
 * support of the minor ends (https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html).
 * A STANDARD cluster also carries the plan-time check that warns once its minor has left standard
 * support (infra/stacks/cluster-stack.ts), when EKS would upgrade it on its own.
 */
import { stackNames } from '../../platform/names';
import { type Finding, type Rule, type RuleInput, terraformComments } from './rule';
import { blockList, blocksOf, type Json } from './terraform-json';

export const standardSupportRule: Rule<'standard-support'> = {
  id: 'standard-support',
  summary:
    "Every EKS cluster sets `upgrade_policy.support_type` to the cluster's `supportType` (STANDARD unless config chooses EXTENDED), and a STANDARD cluster's stack carries the `standard_support` plan-time check: without the block EKS applies EXTENDED support, billed at the extended rate once standard support of the minor ends.",
  check: standardSupportFindings,
};

function standardSupportFindings({ rendering, configs }: RuleInput): Finding[] {
  const findings: Finding[] = [];
  for (const config of configs) {
    for (const cluster of config.clusters) {
      const stack = rendering.stacks.find((s) => s.name === stackNames.cluster(config, cluster));
      if (stack === undefined) continue;
      for (const [id, eks] of blocksOf(stack, 'aws_eks_cluster')) {
        const report = (message: string) =>
          findings.push({ file: stack.path, message, subject: terraformComments(eks) });
        const policy = blockList(eks.upgrade_policy)[0]?.support_type;
        if (policy === undefined) {
          report(
            `aws_eks_cluster.${id} has no upgrade_policy.support_type: EKS then applies EXTENDED support, billed at the extended rate; config clusters[color=${cluster.color}].supportType is ${cluster.supportType}`,
          );
        } else if (policy !== cluster.supportType) {
          report(
            `aws_eks_cluster.${id} upgrade_policy.support_type is ${String(policy)}, but config clusters[color=${cluster.color}].supportType is ${cluster.supportType}`,
          );
        }
        const checks = (stack.json.check ?? {}) as Record<string, Json>;
        if (cluster.supportType === 'STANDARD' && checks.standard_support === undefined) {
          report(
            `aws_eks_cluster.${id} is on STANDARD support but the stack has no check.standard_support: nothing warns when Kubernetes ${cluster.kubernetesVersion} leaves standard support and EKS upgrades the control plane itself`,
          );
        }
      }
    }
  }
  return findings;
}
