import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import type { PlatformConfig } from '../platform/schema';

/**
 * The aws provider of every stack of an environment: its region, its default tags, and
 * `allowed_account_ids` set to the environment's `account`, so a plan run with another account's
 * credentials (dev credentials on prod, say) fails before it reads or changes anything, in place of
 * building the environment in the wrong account while the manifests name roles in the right one.
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs#allowed_account_ids
 *
 * Every resource of every stack lives in that account: the ECR account (`ecr.account`) has no stack
 * (its repository policy is applied by hand, docs/infrastructure.md), and the hosted zones the stacks
 * write records in are the environment's.
 */
export function awsProvider(stack: TerraformStack, config: PlatformConfig): AwsProvider {
  return new AwsProvider(stack, 'aws', {
    region: config.region,
    allowedAccountIds: [config.account],
    defaultTags: [{ tags: config.tags }],
  });
}
