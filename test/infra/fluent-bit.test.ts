import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../platform/load';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { dataOf, documentOf, one, ref, webIdentityTrustStatement } from './stack-json';

describe('Fluent Bit add-on (infra)', () => {
  const prod = fixtureConfig('prod', (raw) => {
    raw.addons = { ...raw.addons, fluentBit: { enabled: true, retentionDays: 14 } };
  });
  const stageOff = fixtureConfig('stage');
  const rendering = renderConfigs([prod, stageOff]);
  const blue = stackOf(rendering, 'prod-blue');
  const groupArn = 'arn:aws:logs:ca-central-1:111111111111:log-group:/aws/eks/prod-blue/containers';

  it('creates the log group /aws/eks/<cluster>/containers with the configured retention and its own key', () => {
    const group = one(resourcesOf(blue, 'aws_cloudwatch_log_group'), 'container-logs');
    expect(group).toMatchObject({
      name: '/aws/eks/prod-blue/containers',
      retention_in_days: 14,
      kms_key_id: ref('aws_kms_key.container-logs-key.arn'),
    });
    const key = one(resourcesOf(blue, 'aws_kms_key'), 'container-logs-key');
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(one(resourcesOf(blue, 'aws_kms_alias'), 'container-logs-key-alias')).toMatchObject({
      name: 'alias/eks/prod-blue/containers',
      target_key_id: ref('aws_kms_key.container-logs-key.key_id'),
    });
    // The default retention is 30 days.
    expect(
      fixtureConfig('prod', (raw) => {
        raw.addons = { ...raw.addons, fluentBit: { enabled: true } };
      }).addons.fluentBit.retentionDays,
    ).toBe(30);
  });

  it("lets CloudWatch Logs use the key for this log group only (the encryption context's log group ARN)", () => {
    const key = one(resourcesOf(blue, 'aws_kms_key'), 'container-logs-key');
    const statements = documentOf(blue, key.policy).statement as Record<string, any>[];
    const logs = statements.find((s) => s.sid === 'CloudWatchLogsOfThisLogGroup');
    expect(logs?.principals).toEqual([{ type: 'Service', identifiers: ['logs.ca-central-1.amazonaws.com'] }]);
    expect(logs?.condition).toEqual([
      { test: 'ArnEquals', variable: 'kms:EncryptionContext:aws:logs:arn', values: [groupArn] },
    ]);
  });

  it('trusts, in the role, exactly kube-system/fluent-bit of its own cluster with the STS audience', () => {
    const role = one(resourcesOf(blue, 'aws_iam_role'), 'irsa-fluent-bit');
    expect(role.name).toBe('prod-blue-fluent-bit');
    expect(documentOf(blue, role.assume_role_policy).statement).toEqual([
      webIdentityTrustStatement('system:serviceaccount:kube-system:fluent-bit'),
    ]);
  });

  it('lets the role create streams in and write to exactly that log group, and never create a group', () => {
    const policy = one(resourcesOf(blue, 'aws_iam_role_policy'), 'irsa-fluent-bit-permissions');
    expect(documentOf(blue, policy.policy).statement).toEqual([
      {
        sid: 'ContainerLogStreams',
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [groupArn, `${groupArn}:*`],
      },
    ]);
    const green = stackOf(rendering, 'prod-green');
    const greenPolicy = one(resourcesOf(green, 'aws_iam_role_policy'), 'irsa-fluent-bit-permissions');
    expect(JSON.stringify(documentOf(green, greenPolicy.policy))).toContain('/aws/eks/prod-green/containers');
    expect(JSON.stringify(documentOf(green, greenPolicy.policy))).not.toContain('prod-blue');
  });

  it('creates none of it when the add-on is off (the default)', () => {
    expect(stageOff.addons.fluentBit.enabled).toBe(false);
    const stage = stackOf(rendering, 'stage-green');
    expect(resourcesOf(stage, 'aws_cloudwatch_log_group')['container-logs']).toBeUndefined();
    expect(resourcesOf(stage, 'aws_kms_key')['container-logs-key']).toBeUndefined();
    expect(resourcesOf(stage, 'aws_iam_role')['irsa-fluent-bit']).toBeUndefined();
    expect(JSON.stringify(stage.json)).not.toContain('fluent-bit');
    expect(Object.keys(dataOf(stage, 'aws_iam_policy_document'))).not.toContain('container-logs-key-policy');
  });

  it('rejects a retention CloudWatch Logs does not offer, naming the field', () => {
    const edit = (raw: Record<string, any>) => {
      raw.addons = { ...raw.addons, fluentBit: { enabled: true, retentionDays: 45 } };
    };
    expect(() => fixtureConfig('dev', edit)).toThrow(ConfigError);
    expect(() => fixtureConfig('dev', edit)).toThrow(
      /addons\.fluentBit\.retentionDays.*CloudWatch Logs retention/,
    );
  });
});
