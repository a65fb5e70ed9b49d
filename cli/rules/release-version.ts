/**
 * Rule `release-version` (issue 13): every node group's pinned AMI release (`release_version`,
 * `<kubernetes version>-<build date>` such as 1.34.2-20251112) is a release of its cluster's
 * Kubernetes minor. EKS publishes AMI releases per Kubernetes version and picks the release of the
 * node group's version by default
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupVersion.html); a kubelet
 * must not be newer than the control plane (https://kubernetes.io/releases/version-skew-policy/),
 * so a release of another minor fails the node group's update or create. The
 * config loader already refuses such a config; this guards the rendered Terraform JSON.
 */
import type { RenderedStack } from '../render';
import { blocksOf } from './terraform-json';
import type { Violation } from './violation';

export const RELEASE_VERSION_RULE = 'release-version';

export function releaseVersionViolations(stacks: readonly RenderedStack[]): Violation[] {
  const violations: Violation[] = [];
  for (const stack of stacks) {
    const groups = blocksOf(stack, 'aws_eks_node_group').filter(([, g]) => g.release_version !== undefined);
    if (groups.length === 0) continue;
    const clusterVersion = blocksOf(stack, 'aws_eks_cluster')[0]?.[1].version;
    for (const [id, group] of groups) {
      const where = `aws_eks_node_group.${id}.release_version`;
      const release = String(group.release_version);
      const minor = /^(\d+\.\d+)\.\d+-\d{8}$/.exec(release)?.[1];
      if (clusterVersion === undefined) {
        violations.push({
          rule: RELEASE_VERSION_RULE,
          file: stack.path,
          message: `${where}: cannot compare ${release}: the stack has no aws_eks_cluster with a version`,
        });
      } else if (minor === undefined) {
        violations.push({
          rule: RELEASE_VERSION_RULE,
          file: stack.path,
          message: `${where}: ${JSON.stringify(release)} is not an EKS AMI release such as ${clusterVersion}.2-20251112`,
        });
      } else if (minor !== String(clusterVersion)) {
        violations.push({
          rule: RELEASE_VERSION_RULE,
          file: stack.path,
          message: `${where}: ${release} is a release of Kubernetes ${minor} but the cluster runs ${clusterVersion}: the minors must be equal`,
        });
      }
    }
  }
  return violations;
}
