/**
 * Rule `irsa-role-users`, the other direction of the identity cross-check (issue 15, item 4; `irsa`
 * is the first): every IAM role of a stack that a web identity may assume (IRSA) is used by exactly
 * the one service account its trust policy names, and that service account exists. What uses a role,
 * read from dist/ and the add-on catalog, never from per-add-on code:
 * - a ServiceAccount of the stack's cluster annotated with the role's ARN
 *   (`eks.amazonaws.com/role-arn`, https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html);
 * - an aws_eks_addon of the stack given the role as `service_account_role_arn`: EKS creates the
 *   add-on's service account and annotates it with the role
 *   (https://docs.aws.amazon.com/eks/latest/userguide/creating-an-add-on.html), so the service
 *   account is the one the catalog (platform/addons.ts) records for the add-on of that name;
 * - an Argo CD Application of the cluster whose Helm values carry the role's ARN (a `charts:`
 *   entry with `iam`, platform/helm-charts.ts): the chart creates the service account its entry
 *   names (`iam.serviceAccount`), in the Application's destination namespace; or an add-on of the
 *   catalog installed by its upstream chart (`installedBy: 'helm'`, matched by `helmApplication`),
 *   whose chart creates the catalog's `serviceAccount` there.
 */
import { ADDONS, type AddonDefinition } from '../../platform/addons';
import { chartApplication, IRSA_ROLE_ANNOTATION } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import type { RenderedObject, RenderedStack } from '../render';
import { type Finding, type Rule, type RuleInput, terraformComments } from './rule';
import { blocksOf, type Json } from './terraform-json';
import { serviceAccountOfSubject, webIdentityTrust } from './web-identity-trust';

/** One use of a role: the service account it gives the role to (`<namespace>/<name>`), if known. */
interface RoleUse {
  readonly serviceAccount: string | undefined;
  /** What uses it, for the message. */
  readonly by: string;
}

export const irsaRoleUsersRule: Rule<'irsa-role-users'> = {
  id: 'irsa-role-users',
  summary:
    "Every IAM role a stack lets a web identity assume (IRSA) trusts exactly one service account, and exactly that account uses it, which exists: a ServiceAccount of the cluster annotated with the role, the one EKS creates for the managed add-on given the role (its namespace and name from the add-on catalog), or the one a Helm-installed chart creates when its Application receives the role (a `charts:` entry's, or an add-on's the catalog installs with Helm). A role nobody uses is a credential waiting for the pod that matches its trust; one handed to another account leaves that pod without credentials.",
  check: irsaRoleUsersFindings,
};

function irsaRoleUsersFindings({ rendering, configs }: RuleInput): Finding[] {
  const findings: Finding[] = [];
  // What can use a role, read once: the annotated ServiceAccounts and the Applications with Helm
  // values, by cluster (a few per cluster among thousands of objects).
  const candidates = new Map<string, RenderedObject[]>();
  for (const o of rendering.objects) {
    const object = o.object as Json;
    const candidate =
      (object.kind === 'ServiceAccount' &&
        object.metadata?.annotations?.[IRSA_ROLE_ANNOTATION] !== undefined) ||
      (object.kind === 'Application' && object.spec?.source?.helm !== undefined);
    if (!candidate) continue;
    const list = candidates.get(o.cluster);
    if (list === undefined) candidates.set(o.cluster, [o]);
    else list.push(o);
  }
  for (const stack of rendering.stacks) {
    const config = configs.find((c) => c.name === stack.environment);
    // A cluster stack is named after its cluster (platform/names.ts, stackNames.cluster).
    const objects = candidates.get(stack.name) ?? [];
    for (const [id, role] of blocksOf(stack, 'aws_iam_role')) {
      const trust = webIdentityTrust(stack, role);
      if (typeof trust === 'string' || !trust.webIdentity) continue;
      const named = typeof role.name === 'string' && !role.name.includes('${') ? ` (${role.name})` : '';
      const report = (message: string) =>
        findings.push({
          file: stack.path,
          message: `IRSA role aws_iam_role.${id}${named} ${message}`,
          subject: terraformComments(role),
        });
      const trusted = trust.sub.length === 1 ? serviceAccountOfSubject(trust.sub[0] as string) : undefined;
      if (trusted === undefined) {
        report(
          `must trust exactly one service account (StringEquals on sub = system:serviceaccount:<namespace>:<name>), trusts ${JSON.stringify(trust.sub)}`,
        );
        continue;
      }
      if (named === '') {
        report(`has no literal name, so what uses it cannot be told: got ${JSON.stringify(role.name)}`);
        continue;
      }
      const account = `${trusted.namespace}/${trusted.name}`;
      const uses = roleUses(stack, id, role.name, objects, config);
      if (uses.length === 0) {
        report(
          `trusts ${account}, but nothing uses it: no ServiceAccount of ${stack.name} is annotated with it, no aws_eks_addon of the stack is given it, no Application's Helm values carry its ARN`,
        );
      }
      for (const use of uses) {
        if (use.serviceAccount === account) continue;
        report(
          use.serviceAccount === undefined
            ? `trusts ${account}, but is given to ${use.by}: which service account uses it is unknown`
            : `trusts ${account}, but is given to ${use.by}, whose service account is ${use.serviceAccount}`,
        );
      }
    }
  }
  return findings;
}

/** The catalog add-on an upstream Helm chart installs through the Application `name`, if any. */
function helmInstalledAddon(name: string): AddonDefinition | undefined {
  return Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>).find(
    (a) => a.installedBy === 'helm' && a.helmApplication === name,
  );
}

/** Whether `value` is the ARN of the role named `roleName` in `account` (any account when unknown). */
function isRoleArn(value: string, roleName: string, account: string | undefined): boolean {
  const match = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(value);
  return match !== null && match[2] === roleName && (account === undefined || match[1] === account);
}

/** Whether some string of a values tree holds the role's ARN. */
function holdsRoleArn(values: unknown, roleName: string, account: string | undefined): boolean {
  if (typeof values === 'string') {
    return values.split(/[\s"',]+/).some((word) => isRoleArn(word, roleName, account));
  }
  if (Array.isArray(values)) return values.some((v) => holdsRoleArn(v, roleName, account));
  if (values !== null && typeof values === 'object') {
    return Object.values(values).some((v) => holdsRoleArn(v, roleName, account));
  }
  return false;
}

function roleUses(
  stack: RenderedStack,
  roleId: string,
  roleName: string,
  objects: readonly RenderedObject[],
  config: PlatformConfig | undefined,
): RoleUse[] {
  const account = config?.account;
  const uses: RoleUse[] = [];
  for (const o of objects) {
    const object = o.object as Json;
    if (object.kind === 'ServiceAccount') {
      const arn = object.metadata?.annotations?.[IRSA_ROLE_ANNOTATION];
      if (typeof arn === 'string' && isRoleArn(arn, roleName, account)) {
        const name = `${object.metadata.namespace}/${object.metadata.name}`;
        uses.push({ serviceAccount: name, by: `ServiceAccount ${name} (${o.path})` });
      }
    } else if (object.kind === 'Application' && holdsRoleArn(object.spec?.source?.helm, roleName, account)) {
      const name = String(object.metadata?.name);
      const chart = config?.charts.find((c) => chartApplication(c) === name);
      const namespace = object.spec?.destination?.namespace;
      const addon = helmInstalledAddon(name);
      if (chart === undefined && addon !== undefined) {
        uses.push({
          serviceAccount:
            addon.serviceAccount == null || typeof namespace !== 'string'
              ? undefined
              : `${namespace}/${addon.serviceAccount}`,
          by: `the chart of Application ${name} (${o.path}, add-on ${addon.component})`,
        });
        continue;
      }
      uses.push({
        serviceAccount:
          chart?.iam === undefined || typeof namespace !== 'string'
            ? undefined
            : `${namespace}/${chart.iam.serviceAccount}`,
        by:
          chart === undefined
            ? `Application ${name} (${o.path}), which is no charts: entry and no add-on the catalog (platform/addons.ts) installs with Helm`
            : `the chart of Application ${name} (${o.path}, charts: ${chart.name})${chart.iam === undefined ? ', whose entry has no iam.serviceAccount' : ''}`,
      });
    }
  }
  const reference = `\${aws_iam_role.${roleId}.arn}`;
  for (const [id, addon] of blocksOf(stack, 'aws_eks_addon')) {
    const given = addon.service_account_role_arn;
    if (given !== reference && !(typeof given === 'string' && isRoleArn(given, roleName, account))) continue;
    const definition = Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>).find(
      (a) => a.installedBy === 'eks-managed-addon' && a.eksAddonName === addon.addon_name,
    );
    uses.push({
      serviceAccount:
        definition?.serviceAccount == null
          ? undefined
          : `${definition.namespace}/${definition.serviceAccount}`,
      by:
        definition === undefined
          ? `aws_eks_addon.${id} (${String(addon.addon_name)}), which the add-on catalog (platform/addons.ts) does not list as an EKS managed add-on`
          : `aws_eks_addon.${id} (${String(addon.addon_name)}, add-on ${definition.component})`,
    });
  }
  return uses;
}
