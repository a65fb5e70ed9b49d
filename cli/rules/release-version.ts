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
import { type Finding, type Rule, type RuleInput, terraformComments } from './rule';
import { blocksOf } from './terraform-json';

export const releaseVersionRule: Rule<'release-version'> = {
  id: 'release-version',
  summary:
    "Every node group's pinned AMI `release_version` is a release of its cluster's Kubernetes minor: a kubelet must not be newer than the control plane, so a release of another minor fails the node group's create or update.",
  check: releaseVersionFindings,
};

function releaseVersionFindings({ rendering }: RuleInput): Finding[] {
  const findings: Finding[] = [];
  for (const stack of rendering.stacks) {
    const groups = blocksOf(stack, 'aws_eks_node_group').filter(([, g]) => g.release_version !== undefined);
    if (groups.length === 0) continue;
    const clusterVersion = blocksOf(stack, 'aws_eks_cluster')[0]?.[1].version;
    for (const [id, group] of groups) {
      const where = `aws_eks_node_group.${id}.release_version`;
      const release = String(group.release_version);
      const minor = /^(\d+\.\d+)\.\d+-\d{8}$/.exec(release)?.[1];
      const report = (message: string) =>
        findings.push({
          file: stack.path,
          message: `${where}: ${message}`,
          subject: terraformComments(group),
        });
      if (clusterVersion === undefined) {
        report(`cannot compare ${release}: the stack has no aws_eks_cluster with a version`);
      } else if (minor === undefined) {
        report(`${JSON.stringify(release)} is not an EKS AMI release such as ${clusterVersion}.2-20251112`);
      } else if (minor !== String(clusterVersion)) {
        report(
          `${release} is a release of Kubernetes ${minor} but the cluster runs ${clusterVersion}: the minors must be equal`,
        );
      }
    }
  }
  return findings;
}
