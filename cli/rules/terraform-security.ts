/**
 * Rules `secrets-encryption`, `ebs-encryption` and `imdsv2` (DESIGN §8) on the Terraform JSON:
 * every EKS cluster envelope-encrypts Secrets with KMS; every node group launches from a launch
 * template whose volumes are encrypted and whose instances require IMDSv2 with a hop limit of 1,
 * so pods cannot read the node role's credentials from instance metadata
 * (https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html).
 */
import type { RenderedStack } from '../render';
import { blockList, blocksOf } from './terraform-json';
import type { Violation } from './violation';

export function terraformSecurityViolations(stacks: readonly RenderedStack[]): Violation[] {
  const violations: Violation[] = [];
  for (const stack of stacks) {
    const report = (rule: string, message: string) => violations.push({ rule, file: stack.path, message });
    for (const [id, cluster] of blocksOf(stack, 'aws_eks_cluster')) {
      const encrypted = blockList(cluster.encryption_config).some(
        (e) => (e.resources ?? []).includes('secrets') && blockList(e.provider).some((p) => p.key_arn),
      );
      if (!encrypted)
        report(
          'secrets-encryption',
          `aws_eks_cluster.${id} has no encryption_config for secrets with a KMS key`,
        );
    }
    const templates = new Map(blocksOf(stack, 'aws_launch_template'));
    for (const [id, template] of templates) {
      for (const mapping of blockList(template.block_device_mappings)) {
        for (const ebs of blockList(mapping.ebs)) {
          if (String(ebs.encrypted) !== 'true') {
            report(
              'ebs-encryption',
              `aws_launch_template.${id}: volume ${mapping.device_name ?? '?'} is not encrypted`,
            );
          }
        }
      }
      const metadata = blockList(template.metadata_options)[0] ?? {};
      if (metadata.http_tokens !== 'required' || Number(metadata.http_put_response_hop_limit ?? 2) > 1) {
        report(
          'imdsv2',
          `aws_launch_template.${id}: metadata_options must set http_tokens "required" and http_put_response_hop_limit 1, got ${JSON.stringify(metadata.http_tokens)} and ${JSON.stringify(metadata.http_put_response_hop_limit)}`,
        );
      }
    }
    for (const [id, group] of blocksOf(stack, 'aws_eks_node_group')) {
      const template = blockList(group.launch_template)[0];
      const name = /^\$\{aws_launch_template\.([\w-]+)\.id\}$/.exec(String(template?.id ?? ''))?.[1];
      if (name === undefined || !templates.has(name)) {
        report(
          'imdsv2',
          `aws_eks_node_group.${id} does not launch from a launch template of its stack (default: IMDSv1 allowed, hop limit 2)`,
        );
      }
    }
  }
  return violations;
}
