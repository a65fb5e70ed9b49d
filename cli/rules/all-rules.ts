/**
 * Every rule `npm run check` runs on the rendered output (DESIGN §8), in the order it reports them.
 * Adding a rule: write it in its own file as `export const xRule: Rule<'x'> = {…}`, add it here, and
 * add its case to test/cli/rule-exceptions.test.ts (which does not compile without it).
 */
import { addonAvailabilityRule } from './addon-availability';
import { allowedAccountRule } from './allowed-account';
import { autoscalerVersionRule, liveExternalDnsRule } from './cluster-versions';
import { containerResourcesRule, imagePinnedRule, runAsNonRootRule } from './container-policy';
import { distinctProbesRule } from './distinct-probes';
import { iamWildcardsRule } from './iam-wildcards';
import { irsaRoleUsersRule } from './irsa-role-users';
import { irsaRule } from './irsa-trust';
import { kmsKeyPolicyRule } from './kms-key-policy';
import { kubernetesSchemaRule } from './kubernetes-schema';
import { logGroupEncryptionRule } from './log-group-encryption';
import { networkPolicyCoverageRule } from './network-policy-coverage';
import { namespaceExistsRule, objectScopeRule } from './object-scope';
import { peopleClusterRightsRule } from './people-cluster-rights';
import { releaseVersionRule } from './release-version';
import type { Rule } from './rule';
import { schedulingRule } from './scheduling';
import { standardSupportRule } from './standard-support';
import { terraformReferencesRule } from './terraform-references';
import { ebsEncryptionRule, imdsv2Rule, secretsEncryptionRule } from './terraform-security';

export { runRules } from './run-rules';

export const ALL_RULES = [
  kubernetesSchemaRule,
  objectScopeRule,
  namespaceExistsRule,
  imagePinnedRule,
  containerResourcesRule,
  runAsNonRootRule,
  distinctProbesRule,
  irsaRule,
  irsaRoleUsersRule,
  peopleClusterRightsRule,
  networkPolicyCoverageRule,
  schedulingRule,
  addonAvailabilityRule,
  autoscalerVersionRule,
  liveExternalDnsRule,
  terraformReferencesRule,
  iamWildcardsRule,
  secretsEncryptionRule,
  ebsEncryptionRule,
  imdsv2Rule,
  allowedAccountRule,
  kmsKeyPolicyRule,
  logGroupEncryptionRule,
  releaseVersionRule,
  standardSupportRule,
] as const satisfies readonly Rule[];

/** The id of every rule: a literal union, as long as each rule is typed `Rule<'its-id'>`. */
export type RuleId = (typeof ALL_RULES)[number]['id'];

/**
 * Fails to compile when a rule in the list is typed plain `Rule`: its id would widen RuleId to
 * `string`, and tables keyed by RuleId would no longer have to name every rule.
 */
export type RuleIdsAreLiterals = Holds<string extends RuleId ? false : true>;
type Holds<T extends true> = T;
