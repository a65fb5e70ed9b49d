import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import type { PlatformConfig } from '../platform/schema';

/**
 * Gives a stack its Terraform state backend: the S3 backend of the config, one state object per
 * stack (`<keyPrefix>/<stack>.tfstate`), or a local state file otherwise.
 *
 * S3 state is locked with S3-native lock files (`use_lockfile`, Terraform 1.10+), which needs no
 * DynamoDB table (https://developer.hashicorp.com/terraform/language/backend/s3#state-locking).
 * cdktf 0.21's S3BackendConfig predates the option, hence the override.
 *
 * The local state path is relative to the stack's working directory (`<outdir>/stacks/<stack>`):
 * `../../../` puts the file beside the cdktf output folder, where cdktf's own default puts it (the
 * project root), but as a relative path so the synthesized JSON holds no absolute path, and outside
 * the output folder, which is build output anyone may delete. Cross-stack references read the same
 * path, resolved from the reading stack's folder, a sibling of the writing one.
 */
export function useStateBackend(stack: TerraformStack, config: PlatformConfig): void {
  const stackName = stack.node.id;
  const s3 = config.backend?.s3;
  if (s3 === undefined) {
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
    return;
  }
  const backend = new S3Backend(stack, {
    bucket: s3.bucket,
    key: `${s3.keyPrefix}/${stackName}.tfstate`,
    region: s3.region,
    encrypt: true,
  });
  backend.addOverride('use_lockfile', true);
}
