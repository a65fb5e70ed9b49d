import { beforeAll, describe, expect, it } from 'vitest';
import type { Rendering } from '../../cli/render';
import { allowedAccountRule } from '../../cli/rules/allowed-account';
import { iamWildcardsRule } from '../../cli/rules/iam-wildcards';
import { kmsKeyPolicyRule } from '../../cli/rules/kms-key-policy';
import { logGroupEncryptionRule } from '../../cli/rules/log-group-encryption';
import type { Rule } from '../../cli/rules/rule';
import type { PlatformConfig } from '../../platform/schema';
import { fixtureConfig, renderConfigs } from '../helpers';
import { violationsOf } from './rule-violations';

let configs: PlatformConfig[];
let base: Rendering;

beforeAll(() => {
  configs = [fixtureConfig('prod'), fixtureConfig('stage')];
  base = renderConfigs(configs);
});

/** A deep copy of the fixture rendering's stacks, changed by `edit`. */
function mutated(edit: (stacks: any[]) => void): Rendering {
  const stacks = structuredClone(base.stacks) as any[];
  edit(stacks);
  return { ...base, stacks };
}
const json = (stacks: any[], name: string) => stacks.find((s) => s.name === name).json;
const messages = (rule: Rule, rendering: Rendering) =>
  rule.check({ rendering, configs }).map((f) => `${f.file}: ${f.message}`);

describe('rule allowed-account', () => {
  it('passes the fixtures, whose stacks live in two accounts and regions', () => {
    expect(messages(allowedAccountRule, base)).toEqual([]);
    expect(base.stacks.filter((s) => s.environment === 'stage').length).toBe(4);
  });

  it("fails a provider without allowed_account_ids, one naming another environment's account, and a stack without a provider", () => {
    const r = mutated((stacks) => {
      delete json(stacks, 'prod-network').provider.aws[0].allowed_account_ids;
      json(stacks, 'stage-green').provider.aws[0].allowed_account_ids = ['111111111111'];
      json(stacks, 'prod-blue').provider.aws.push({ alias: 'ecr', region: 'ca-central-1' });
      delete json(stacks, 'prod-live-dns').provider;
    });
    expect(messages(allowedAccountRule, r)).toEqual([
      'infra/prod-network.tf.json: provider aws: allowed_account_ids must be ["111111111111"], the account of environment prod, got none',
      'infra/prod-blue.tf.json: provider aws (alias ecr): allowed_account_ids must be ["111111111111"], the account of environment prod, got none',
      'infra/prod-live-dns.tf.json: declares AWS resources but no aws provider block: Terraform would use an unguarded default provider; give it one with allowed_account_ids ["111111111111"]',
      'infra/stage-green.tf.json: provider aws: allowed_account_ids must be ["444444444444"], the account of environment stage, got ["111111111111"]',
    ]);
  });
});

describe('rule kms-key-policy', () => {
  it('passes the fixtures: both keys of every cluster have an explicit policy', () => {
    expect(messages(kmsKeyPolicyRule, base)).toEqual([]);
  });

  it('fails a key without a policy, without the account statement, open to every principal, or to a service without a condition', () => {
    const r = mutated((stacks) => {
      const blue = json(stacks, 'prod-blue');
      delete blue.resource.aws_kms_key['secrets-key'].policy;
      const logs = blue.data.aws_iam_policy_document['logs-key-policy'].statement;
      delete logs.at(-1).condition;
      const green = json(stacks, 'stage-green').data.aws_iam_policy_document['secrets-key-policy'].statement;
      green[0].principals[0].identifiers = ['arn:aws:iam::111111111111:root'];
      green.push({
        sid: 'Everyone',
        effect: 'Allow',
        actions: ['kms:Decrypt'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
      });
    });
    expect(messages(kmsKeyPolicyRule, r)).toEqual([
      'infra/prod-blue.tf.json: aws_kms_key.logs-key statement CloudWatchLogsOfThisLogGroup allows the service(s) logs.ca-central-1.amazonaws.com without a condition: they could use the key for any resource of any account; add a condition (an encryption context, aws:SourceAccount, aws:SourceArn)',
      'infra/prod-blue.tf.json: aws_kms_key.secrets-key has no key policy: KMS applies its default one, which names only the account; write an explicit policy with an aws_iam_policy_document',
      'infra/stage-green.tf.json: aws_kms_key.secrets-key has no statement that allows the account (arn:aws:iam::444444444444:root) kms:* without a condition: the key could become unmanageable and IAM policies of the account do not apply to it',
      'infra/stage-green.tf.json: aws_kms_key.secrets-key statement Everyone allows every principal (*) without a condition',
    ]);
  });

  it('reads literal JSON policies too, and refuses a policy it cannot read', () => {
    const r = mutated((stacks) => {
      const keys = json(stacks, 'prod-green').resource.aws_kms_key;
      keys['secrets-key'].policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111111111111:root' },
            Action: 'kms:*',
            Resource: '*',
          },
          { Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
        ],
      });
      keys['logs-key'].policy = `\${jsonencode(local.policy)}`;
    });
    expect(messages(kmsKeyPolicyRule, r)).toEqual([
      'infra/prod-green.tf.json: aws_kms_key.logs-key has a policy the rule cannot read: refer to an aws_iam_policy_document data source of the stack',
      'infra/prod-green.tf.json: aws_kms_key.secrets-key statement Open allows every principal (*) without a condition',
    ]);
  });
});

describe('rule log-group-encryption', () => {
  it('passes the fixtures: every control-plane log group has its customer managed key', () => {
    expect(messages(logGroupEncryptionRule, base)).toEqual([]);
  });

  it('fails a log group without kms_key_id and one whose key is not a key of its stack', () => {
    const r = mutated((stacks) => {
      delete json(stacks, 'prod-blue').resource.aws_cloudwatch_log_group['control-plane-logs'].kms_key_id;
      json(stacks, 'prod-green').resource.aws_cloudwatch_log_group['control-plane-logs'].kms_key_id =
        `\${aws_kms_key.other.arn}`;
    });
    expect(messages(logGroupEncryptionRule, r)).toEqual([
      "infra/prod-blue.tf.json: aws_cloudwatch_log_group.control-plane-logs (/aws/eks/prod-blue/cluster) has no kms_key_id: its logs are encrypted with CloudWatch's own key, not a customer managed key",
      `infra/prod-green.tf.json: aws_cloudwatch_log_group.control-plane-logs kms_key_id must be the ARN of an aws_kms_key of its stack or a key ARN, got "\${aws_kms_key.other.arn}"`,
    ]);
  });
});

describe('rule iam-wildcards on the key policies', () => {
  it('passes the fixtures: a key policy is not an identity policy, its Resource "*" is the key itself', () => {
    expect(violationsOf(iamWildcardsRule, { stacks: base.stacks })).toEqual([]);
  });

  it('still fails the same statements attached to a role as an identity policy, where "*" is every key', () => {
    const r = mutated((stacks) => {
      json(stacks, 'prod-blue').resource.aws_iam_role_policy['cluster-role-secrets-key'].policy =
        `\${data.aws_iam_policy_document.secrets-key-policy.json}`;
    });
    expect(violationsOf(iamWildcardsRule, { stacks: r.stacks }).map((v) => v.message)).toEqual([
      'aws_iam_role_policy.cluster-role-secrets-key: statement AccountAndIamPolicies allows the mutating action(s) kms:* on every resource without a condition; name the resources or add a condition',
      'aws_iam_role_policy.cluster-role-secrets-key: statement KeyAdministrators allows the mutating action(s) kms:CreateAlias, kms:Enable*, kms:Put*, kms:Update*, kms:Revoke*, kms:Disable*, kms:Delete*, kms:TagResource, kms:UntagResource, kms:ScheduleKeyDeletion, kms:CancelKeyDeletion, kms:RotateKeyOnDemand on every resource without a condition; name the resources or add a condition',
      'aws_iam_role_policy.cluster-role-secrets-key: statement ClusterEnvelopeEncryption allows the mutating action(s) kms:Encrypt, kms:Decrypt on every resource without a condition; name the resources or add a condition',
    ]);
  });
});
