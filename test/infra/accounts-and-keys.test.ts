import { describe, expect, it } from 'vitest';
import {
  KEY_ADMINISTRATION_ACTIONS,
  LOGS_KEY_USE_ACTIONS,
  SECRETS_KEY_USE_ACTIONS,
} from '../../infra/policies/cluster-key-policies';
import { clusterName } from '../../platform/names';
import { FIXTURE_ENVIRONMENTS, fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { documentOf, one, ref } from './stack-json';

const configs = FIXTURE_ENVIRONMENTS.map((env) => fixtureConfig(env));
const rendering = renderConfigs(configs);

/** Every provider block of a stack, by provider name, as cdktf writes them (a list per name). */
function providers(json: Record<string, unknown>): [string, Record<string, any>][] {
  const byName = (json.provider ?? {}) as Record<string, Record<string, any>[]>;
  return Object.entries(byName).flatMap(([name, blocks]) => blocks.map((b) => [name, b] as [string, any]));
}

describe('the account guard', () => {
  it('names exactly the configured account in allowed_account_ids on every aws provider of every stack', () => {
    for (const config of configs) {
      const stacks = rendering.stacks.filter((s) => s.environment === config.name);
      // network, live-dns, and a cluster and a bootstrap stack per cluster.
      expect(stacks.length, config.name).toBe(2 + 2 * config.clusters.length);
      for (const stack of stacks) {
        const aws = providers(stack.json).filter(([name]) => name === 'aws');
        expect(aws.length, stack.name).toBe(1);
        for (const [, block] of aws) {
          expect(block.allowed_account_ids, stack.name).toEqual([config.account]);
          expect(block.region, stack.name).toBe(config.region);
          expect(block).not.toHaveProperty('forbidden_account_ids');
        }
      }
    }
    // stage runs in another account and region than prod and dev.
    const stage = providers(stackOf(rendering, 'stage-green').json).find(([n]) => n === 'aws')?.[1];
    expect(stage).toMatchObject({ allowed_account_ids: ['444444444444'], region: 'eu-west-1' });
  });

  it('has no other provider that reaches AWS: the bootstrap stack adds helm, configured from the guarded aws provider', () => {
    const names = new Set(rendering.stacks.flatMap((s) => providers(s.json).map(([name]) => name)));
    expect([...names].sort()).toEqual(['aws', 'helm']);
  });
});

describe('the cluster keys', () => {
  for (const config of configs) {
    for (const cluster of config.clusters) {
      const name = clusterName(config, cluster);
      const stack = stackOf(rendering, name);
      const keys = resourcesOf(stack, 'aws_kms_key');
      const policyOf = (id: string) =>
        documentOf(stack, one(keys, id).policy).statement as Record<string, any>[];
      const root = {
        sid: 'AccountAndIamPolicies',
        effect: 'Allow',
        principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${config.account}:root`] }],
        actions: ['kms:*'],
        resources: ['*'],
      };
      const admins = config.encryption.keyAdministrators;
      const adminStatements =
        admins.length === 0
          ? []
          : [
              {
                sid: 'KeyAdministrators',
                effect: 'Allow',
                principals: [{ type: 'AWS', identifiers: admins }],
                actions: [...KEY_ADMINISTRATION_ACTIONS],
                resources: ['*'],
              },
            ];

      it(`gives the secrets key of ${name} an explicit policy: the account, the key administrators, the cluster role's use`, () => {
        expect(Object.keys(keys).sort()).toEqual([
          ...(config.addons.ebsCsiDriver.enabled ? ['ebs-volume-key'] : []),
          'logs-key',
          'secrets-key',
        ]);
        expect(policyOf('secrets-key')).toEqual([
          root,
          ...adminStatements,
          {
            sid: 'ClusterEnvelopeEncryption',
            effect: 'Allow',
            principals: [{ type: 'AWS', identifiers: [ref('aws_iam_role.cluster-role.arn')] }],
            actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
            resources: ['*'],
          },
        ]);
        // The role's IAM policy grants the same actions on this key alone.
        const inline = one(resourcesOf(stack, 'aws_iam_role_policy'), 'cluster-role-secrets-key');
        expect(documentOf(stack, inline.policy).statement).toEqual([
          {
            sid: 'SecretsEnvelopeEncryption',
            effect: 'Allow',
            actions: [...SECRETS_KEY_USE_ACTIONS],
            resources: [ref('aws_kms_key.secrets-key.arn')],
          },
        ]);
      });

      if (config.addons.ebsCsiDriver.enabled) {
        it(`gives the EBS volume key of ${name} an explicit policy: the account and the key administrators (the driver's use comes from its IAM policy)`, () => {
          expect(policyOf('ebs-volume-key')).toEqual([root, ...adminStatements]);
        });
      }

      it(`encrypts the control-plane log group of ${name} with a key of its own, usable by CloudWatch Logs for that group only`, () => {
        const logs = one(resourcesOf(stack, 'aws_cloudwatch_log_group'), 'control-plane-logs');
        expect(logs).toMatchObject({
          name: `/aws/eks/${name}/cluster`,
          kms_key_id: ref('aws_kms_key.logs-key.arn'),
        });
        expect(one(keys, 'logs-key')).toMatchObject({
          enable_key_rotation: true,
          deletion_window_in_days: 30,
        });
        expect(one(resourcesOf(stack, 'aws_kms_alias'), 'logs-key-alias')).toMatchObject({
          name: `alias/eks/${name}/logs`,
          target_key_id: ref('aws_kms_key.logs-key.key_id'),
        });
        expect(policyOf('logs-key')).toEqual([
          root,
          ...adminStatements,
          {
            sid: 'CloudWatchLogsOfThisLogGroup',
            effect: 'Allow',
            principals: [{ type: 'Service', identifiers: [`logs.${config.region}.amazonaws.com`] }],
            actions: [...LOGS_KEY_USE_ACTIONS],
            resources: ['*'],
            condition: [
              {
                test: 'ArnEquals',
                variable: 'kms:EncryptionContext:aws:logs:arn',
                values: [
                  `arn:aws:logs:${config.region}:${config.account}:log-group:/aws/eks/${name}/cluster`,
                ],
              },
            ],
          },
        ]);
      });
    }
  }

  it('names the configured key administrators with administration actions only: no use of the key, no grant of its use', () => {
    const prod = configs.find((c) => c.name === 'prod');
    expect(prod?.encryption.keyAdministrators).toEqual([
      'arn:aws:iam::111111111111:role/security/kms-admin',
      'arn:aws:iam::111111111111:role/k8sadmin',
    ]);
    const stack = stackOf(rendering, 'prod-blue');
    const statements = documentOf(stack, one(resourcesOf(stack, 'aws_kms_key'), 'secrets-key').policy)
      .statement as Record<string, any>[];
    const admin = statements.find((s) => s.sid === 'KeyAdministrators') ?? {};
    expect(admin.principals[0].identifiers).toEqual(prod?.encryption.keyAdministrators);
    for (const action of [
      'kms:Encrypt',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'kms:ReEncryptFrom',
      'kms:CreateGrant',
    ]) {
      const allowed = (admin.actions as string[]).some((pattern) =>
        new RegExp(`^${pattern.replace('*', '.*')}$`).test(action),
      );
      expect(allowed, action).toBe(false);
    }
    expect(admin.actions).toContain('kms:ScheduleKeyDeletion');
    expect(admin.actions).toContain('kms:Put*');
    expect(admin.actions).toContain('kms:CreateAlias');
    // dev and stage configure none: no administrators statement at all.
    const dev = stackOf(rendering, 'dev-blue');
    const devStatements = documentOf(dev, one(resourcesOf(dev, 'aws_kms_key'), 'secrets-key').policy)
      .statement as Record<string, any>[];
    expect(devStatements.map((s) => s.sid)).toEqual(['AccountAndIamPolicies', 'ClusterEnvelopeEncryption']);
  });
});
