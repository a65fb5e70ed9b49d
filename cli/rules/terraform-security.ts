/**
 * Rules `secrets-encryption`, `ebs-encryption` and `imdsv2` (DESIGN §8) on the Terraform JSON:
 * every EKS cluster envelope-encrypts Secrets with KMS; every node group launches from a launch
 * template whose volumes are encrypted and whose instances require IMDSv2 with a hop limit of 1,
 * so pods cannot read the node role's credentials from instance metadata
 * (https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html).
 */
import { type Finding, type Rule, terraformComments } from './rule';
import { blockList, blocksOf } from './terraform-json';

export const secretsEncryptionRule: Rule<'secrets-encryption'> = {
  id: 'secrets-encryption',
  summary:
    'Every EKS cluster envelope-encrypts Kubernetes Secrets with a KMS key (`encryption_config` for `secrets`): Secrets are then stored in etcd under a data key that only that KMS key unwraps, with every use logged in CloudTrail.',
  check: ({ rendering }) =>
    rendering.stacks.flatMap((stack) =>
      blocksOf(stack, 'aws_eks_cluster')
        .filter(([, cluster]) => {
          const encrypted = blockList(cluster.encryption_config).some(
            (e) => (e.resources ?? []).includes('secrets') && blockList(e.provider).some((p) => p.key_arn),
          );
          return !encrypted;
        })
        .map(([id, cluster]) => ({
          file: stack.path,
          message: `aws_eks_cluster.${id} has no encryption_config for secrets with a KMS key`,
          subject: terraformComments(cluster),
        })),
    ),
};

export const ebsEncryptionRule: Rule<'ebs-encryption'> = {
  id: 'ebs-encryption',
  summary:
    'Every volume of every launch template is encrypted: node disks hold container images, logs and emptyDir data.',
  check: ({ rendering }) => {
    const findings: Finding[] = [];
    for (const stack of rendering.stacks) {
      for (const [id, template] of blocksOf(stack, 'aws_launch_template')) {
        for (const mapping of blockList(template.block_device_mappings)) {
          for (const ebs of blockList(mapping.ebs)) {
            if (String(ebs.encrypted) === 'true') continue;
            findings.push({
              file: stack.path,
              message: `aws_launch_template.${id}: volume ${mapping.device_name ?? '?'} is not encrypted`,
              subject: terraformComments(template),
            });
          }
        }
      }
    }
    return findings;
  },
};

export const imdsv2Rule: Rule<'imdsv2'> = {
  id: 'imdsv2',
  summary:
    "Every node group launches from a launch template of its stack that requires IMDSv2 with a hop limit of 1: a pod then cannot reach instance metadata and take the node role's credentials.",
  check: ({ rendering }) => {
    const findings: Finding[] = [];
    for (const stack of rendering.stacks) {
      const templates = new Map(blocksOf(stack, 'aws_launch_template'));
      for (const [id, template] of templates) {
        const metadata = blockList(template.metadata_options)[0] ?? {};
        if (metadata.http_tokens === 'required' && Number(metadata.http_put_response_hop_limit ?? 2) <= 1) {
          continue;
        }
        findings.push({
          file: stack.path,
          message: `aws_launch_template.${id}: metadata_options must set http_tokens "required" and http_put_response_hop_limit 1, got ${JSON.stringify(metadata.http_tokens)} and ${JSON.stringify(metadata.http_put_response_hop_limit)}`,
          subject: terraformComments(template),
        });
      }
      for (const [id, group] of blocksOf(stack, 'aws_eks_node_group')) {
        const template = blockList(group.launch_template)[0];
        const name = /^\$\{aws_launch_template\.([\w-]+)\.id\}$/.exec(String(template?.id ?? ''))?.[1];
        if (name !== undefined && templates.has(name)) continue;
        findings.push({
          file: stack.path,
          message: `aws_eks_node_group.${id} does not launch from a launch template of its stack (default: IMDSv1 allowed, hop limit 2)`,
          subject: terraformComments(group),
        });
      }
    }
    return findings;
  },
};
