/**
 * An exception to a check rule, recorded on the Terraform resource it concerns, where it is made:
 * `npm run check` then prints the finding as an exception, with the reason, instead of failing.
 *
 * The carrier is the resource's `"//"` object, the one property Terraform ignores in any block body
 * (https://developer.hashicorp.com/terraform/language/syntax/json#comment-properties). cdktf
 * already writes its construct metadata there (`"//": {"metadata": …}`) and merges an override of
 * `"//"` with it (cdktf 0.21 TerraformResource.toTerraform), so the reason reaches cdk.tf.json and
 * dist/ without changing what Terraform plans. Data sources cannot carry one: cdktf replaces their
 * `"//"` with the metadata.
 */
import type { TerraformResource } from 'cdktf';
import { POLICY_EXCEPTION_PREFIX } from '../../platform/names';

/** The exceptions recorded so far per resource: `addOverride('//', …)` replaces the whole object. */
const recorded = new WeakMap<TerraformResource, Readonly<Record<string, string>>>();

/**
 * Records `policy.eks-platform.io/exception-<ruleId>: <reason>` in the resource's `"//"` object.
 * The key is set as one property, not through addOverride's dotted path, because it holds dots.
 */
export function recordRuleException(resource: TerraformResource, ruleId: string, reason: string): void {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(ruleId)) {
    throw new Error(`${resource.node.path}: rule id must be kebab-case, got ${JSON.stringify(ruleId)}`);
  }
  if (reason.trim() === '') {
    throw new Error(
      `${resource.node.path}: the exception to ${ruleId} needs a reason: why the rule does not apply here`,
    );
  }
  const entries = { ...recorded.get(resource), [`${POLICY_EXCEPTION_PREFIX}${ruleId}`]: reason };
  recorded.set(resource, entries);
  resource.addOverride('//', entries);
}
