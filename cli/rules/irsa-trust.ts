/**
 * Rule `irsa` (DESIGN §5): every IAM role annotated on a ServiceAccount exists in the Terraform
 * JSON, in the cluster's own stack, and trusts exactly that service account: StringEquals on the
 * OIDC issuer's `sub` = `system:serviceaccount:<namespace>:<name>` and `aud` = sts.amazonaws.com.
 */
import { IRSA_AUDIENCE, IRSA_ROLE_ANNOTATION } from '../../platform/names';
import { type Finding, objectAnnotations, type Rule, type RuleInput } from './rule';
import { blocksOf } from './terraform-json';
import { webIdentityTrust } from './web-identity-trust';

export const irsaRule: Rule<'irsa'> = {
  id: 'irsa',
  summary:
    "Every IAM role annotated on a ServiceAccount is an IAM role ARN of the environment's account, created by the cluster's own stack, whose trust policy accepts exactly that service account (`sub`) and the STS audience (`aud`): otherwise the pod gets no credentials, or another pod can take the role.",
  check: irsaFindings,
};

function irsaFindings({ rendering, configs }: RuleInput): Finding[] {
  const { objects, stacks } = rendering;
  const findings: Finding[] = [];
  for (const o of objects) {
    if (o.object.kind !== 'ServiceAccount') continue;
    const meta = o.object.metadata as {
      name: string;
      namespace?: string;
      annotations?: Record<string, string>;
    };
    const arn = meta.annotations?.[IRSA_ROLE_ANNOTATION];
    if (arn === undefined) continue;
    const subject = objectAnnotations(o.object);
    const report = (message: string) => findings.push({ file: o.path, message, subject });
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn)) {
      report(`annotation ${IRSA_ROLE_ANNOTATION} is not an IAM role ARN: ${arn}`);
      continue;
    }
    const roleName = arn.slice(arn.lastIndexOf('/') + 1);
    const account = configs.find((c) => c.name === o.environment)?.account;
    if (!arn.startsWith(`arn:aws:iam::${account}:role/`)) {
      report(`role ${arn} is not in the environment's account ${account}`);
      continue;
    }
    const stack = stacks.find((s) => s.name === o.cluster);
    const found = stack && blocksOf(stack, 'aws_iam_role').find(([, role]) => role.name === roleName);
    if (stack === undefined || found === undefined) {
      report(`role ${arn} is not created by the stack ${o.cluster}`);
      continue;
    }
    const claims = webIdentityTrust(stack, found[1]);
    if (typeof claims === 'string') {
      report(`role ${roleName} ${claims}`);
      continue;
    }
    const serviceAccount = `system:serviceaccount:${meta.namespace}:${meta.name}`;
    if (claims.sub.length !== 1 || claims.sub[0] !== serviceAccount) {
      report(
        `role ${roleName} must trust exactly sub ${serviceAccount}, trusts ${JSON.stringify(claims.sub)}`,
      );
    }
    if (claims.aud.length !== 1 || claims.aud[0] !== IRSA_AUDIENCE) {
      report(
        `role ${roleName} must trust exactly aud ${IRSA_AUDIENCE}, trusts ${JSON.stringify(claims.aud)}`,
      );
    }
  }
  return findings;
}
