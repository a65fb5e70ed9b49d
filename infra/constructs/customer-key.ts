import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { Construct } from 'constructs';

export interface CustomerKeyProps {
  readonly description: string;
  /** The alias, `alias/…`: how people and the StorageClass name the key. */
  readonly alias: string;
  /** The key policy's statements (infra/policies/cluster-key-policies.ts). */
  readonly statements: DataAwsIamPolicyDocumentStatement[];
}

/**
 * A customer managed KMS key as every key of a cluster is made: an explicit key policy (rule
 * `kms-key-policy`), yearly rotation, a 30-day deletion window (time to cancel a mistaken
 * deletion), and an alias. The Terraform addresses are `<id>`, `<id>-policy` and `<id>-alias`
 * whatever the construct depth, so moving the call never renames a key.
 */
export function customerKey(scope: Construct, id: string, props: CustomerKeyProps): KmsKey {
  const policy = new DataAwsIamPolicyDocument(scope, `${id}-policy`, { statement: props.statements });
  policy.overrideLogicalId(`${id}-policy`);
  const key = new KmsKey(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: policy.json,
  });
  key.overrideLogicalId(id);
  new KmsAlias(scope, `${id}-alias`, { name: props.alias, targetKeyId: key.keyId }).overrideLogicalId(
    `${id}-alias`,
  );
  return key;
}
