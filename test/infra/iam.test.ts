import { describe, expect, it } from 'vitest';
import type { RenderedStack } from '../../cli/render';
import { iamWildcardsRule, identityPolicyProblems, isReadOnlyAction } from '../../cli/rules/iam-wildcards';
import { ADDON_KEYS, ADDONS, type AddonDefinition, addonRuns } from '../../platform/addons';
import { IRSA_ADDONS, type IrsaAddon, irsaRole } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { violationsOf } from '../cli/rule-violations';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { type Block, documentOf, one, ref, webIdentityTrustStatement } from './stack-json';

/** The IRSA roles of the catalog's add-ons that run on a cluster (some are off by default). */
function runningIrsaAddons(config: PlatformConfig, cluster: ClusterConfig): IrsaAddon[] {
  return ADDON_KEYS.flatMap((key) => {
    const { identity } = ADDONS[key] as AddonDefinition;
    return identity.kind === 'irsa' && addonRuns(config, cluster, key) ? [identity.role as IrsaAddon] : [];
  });
}

describe('IAM of the cluster stacks', () => {
  const prod = fixtureConfig('prod');
  const dev = fixtureConfig('dev');
  const rendering = renderConfigs([prod, dev]);
  const clusterStacks = rendering.stacks.filter((s) => !/-(network|bootstrap|live-dns)$/.test(s.name));

  it('allows no mutating action on * without a condition in any stack', () => {
    expect(violationsOf(iamWildcardsRule, { stacks: rendering.stacks })).toEqual([]);
    // The rule did read the policies: every stack has identity policies with statements on *.
    for (const stack of clusterStacks) {
      expect(Object.keys(resourcesOf(stack, 'aws_iam_role_policy')).length).toBeGreaterThan(0);
    }
  });

  it('trusts, in every IRSA role, exactly its service account and the STS audience of its own cluster', () => {
    let checked = 0;
    for (const config of [prod, dev]) {
      for (const cluster of config.clusters) {
        const stack = stackOf(rendering, `${config.name}-${cluster.color}`);
        const roles = resourcesOf(stack, 'aws_iam_role');
        // Every role trusting a web identity is one of the named IRSA roles, and vice versa.
        const federated = Object.entries(roles).filter(([, role]) =>
          (documentOf(stack, role.assume_role_policy).statement as Block[]).some((s) =>
            (s.principals as Block[] | undefined)?.some((p) => p.type === 'Federated'),
          ),
        );
        const running = runningIrsaAddons(config, cluster);
        expect(running.length).toBeGreaterThan(0);
        expect(federated.map(([id]) => id).sort()).toEqual(running.map((addon) => `irsa-${addon}`).sort());
        for (const addon of running) {
          const expected = irsaRole(config, cluster, addon);
          const role = one(roles, `irsa-${addon}`);
          expect(role.name).toBe(expected.roleName);
          expect(documentOf(stack, role.assume_role_policy).statement).toEqual([
            webIdentityTrustStatement(expected.subject),
          ]);
          checked++;
        }
      }
    }
    // Three clusters (prod-blue, prod-green, dev-blue), every IRSA add-on running on each.
    const expected = [prod, dev].flatMap((config) =>
      config.clusters.flatMap((cluster) => runningIrsaAddons(config, cluster)),
    );
    expect(checked).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('lets cluster-autoscaler read on * but scale only Auto Scaling groups tagged for it and owned by its cluster', () => {
    const blue = stackOf(rendering, 'prod-blue');
    const policy = one(resourcesOf(blue, 'aws_iam_role_policy'), 'irsa-cluster-autoscaler-permissions');
    expect(policy.role).toBe(ref('aws_iam_role.irsa-cluster-autoscaler.name'));
    expect(documentOf(blue, policy.policy).statement).toEqual([
      {
        sid: 'DiscoverNodeGroups',
        effect: 'Allow',
        actions: [
          'autoscaling:Describe*',
          'ec2:DescribeLaunchTemplateVersions',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeImages',
          'ec2:GetInstanceTypesFromInstanceRequirements',
          'eks:DescribeNodegroup',
        ],
        resources: ['*'],
      },
      {
        sid: 'ScaleOwnNodeGroups',
        effect: 'Allow',
        actions: [
          'autoscaling:SetDesiredCapacity',
          'autoscaling:TerminateInstanceInAutoScalingGroup',
          'autoscaling:UpdateAutoScalingGroup',
        ],
        resources: ['*'],
        condition: [
          {
            test: 'StringEquals',
            variable: 'autoscaling:ResourceTag/k8s.io/cluster-autoscaler/enabled',
            values: ['true'],
          },
          {
            test: 'StringEquals',
            variable: 'autoscaling:ResourceTag/k8s.io/cluster-autoscaler/prod-blue',
            values: ['owned'],
          },
        ],
      },
    ]);
  });

  it('lets external-dns change records only in the configured hosted zones', () => {
    const dev = stackOf(rendering, 'dev-blue');
    const policy = one(resourcesOf(dev, 'aws_iam_role_policy'), 'irsa-external-dns-permissions');
    expect(documentOf(dev, policy.policy).statement).toEqual([
      {
        sid: 'ChangeRecordsInOwnZones',
        effect: 'Allow',
        actions: ['route53:ChangeResourceRecordSets'],
        resources: [
          'arn:aws:route53:::hostedzone/Z0000000DEVPRIV',
          'arn:aws:route53:::hostedzone/Z0000000DEVPUB',
        ],
      },
      {
        sid: 'ListZonesAndRecords',
        effect: 'Allow',
        actions: ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource'],
        resources: ['*'],
      },
    ]);
  });

  it('creates no IRSA role for a disabled add-on', () => {
    const config = fixtureConfig('dev', (raw) => {
      raw.addons.externalDns = { enabled: false };
    });
    const without = renderConfigs([config]);
    const stack = stackOf(without, 'dev-blue');
    // Every other IRSA add-on of the catalog that runs keeps its role.
    const cluster = config.clusters.find((c) => c.color === 'blue');
    if (cluster === undefined) throw new Error('no dev-blue');
    const others = runningIrsaAddons(config, cluster).filter((addon) => addon !== 'external-dns');
    expect(Object.keys(IRSA_ADDONS)).toContain('external-dns');
    expect(Object.keys(resourcesOf(stack, 'aws_iam_role')).sort()).toEqual(
      ['cluster-role', 'node-role', ...others.map((addon) => `irsa-${addon}`)].sort(),
    );
    expect(others).toContain('cluster-autoscaler');
  });
});

/** A stack holding one identity policy given as literal JSON. */
function stackWithPolicy(policy: unknown, type = 'aws_iam_policy'): RenderedStack {
  return {
    environment: 'test',
    name: 'test',
    path: 'infra/test.tf.json',
    json: { resource: { [type]: { probe: { policy: JSON.stringify(policy) } } } },
  };
}

describe('iam-wildcards rule', () => {
  it('classifies actions by their verb, wildcards included', () => {
    expect(isReadOnlyAction('autoscaling:Describe*')).toBe(true);
    expect(isReadOnlyAction('ecr:GetAuthorizationToken')).toBe(true);
    expect(isReadOnlyAction('route53:ListHostedZones')).toBe(true);
    expect(isReadOnlyAction('ecr:BatchGetImage')).toBe(true);
    expect(isReadOnlyAction('ec2:*')).toBe(false);
    expect(isReadOnlyAction('*')).toBe(false);
    expect(isReadOnlyAction('s3:*Object')).toBe(false);
    expect(isReadOnlyAction('autoscaling:SetDesiredCapacity')).toBe(false);
    expect(isReadOnlyAction('ec2:Desc*')).toBe(false);
  });

  it('rejects a mutating action on * without a condition, naming the stack, policy and action', () => {
    const stack = stackWithPolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TooBroad',
          Effect: 'Allow',
          Action: ['ec2:Describe*', 'ec2:TerminateInstances'],
          Resource: '*',
        },
      ],
    });
    expect(violationsOf(iamWildcardsRule, { stacks: [stack] })).toEqual([
      {
        rule: 'iam-wildcards',
        file: 'infra/test.tf.json',
        message:
          'aws_iam_policy.probe: statement TooBroad allows the mutating action(s) ec2:TerminateInstances on every resource without a condition; name the resources or add a condition',
      },
    ]);
  });

  it('rejects NotAction and NotResource, which reach every action or resource', () => {
    const notAction = stackWithPolicy({ Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } });
    expect(violationsOf(iamWildcardsRule, { stacks: [notAction] })[0]?.message).toContain(
      'every action except iam:*',
    );
    const notResource = stackWithPolicy({
      Statement: { Effect: 'Allow', Action: 's3:PutObject', NotResource: 'arn:aws:s3:::logs/*' },
    });
    expect(violationsOf(iamWildcardsRule, { stacks: [notResource] })[0]?.message).toContain('s3:PutObject');
  });

  it('accepts mutating actions on * under a condition, on named resources, or denied', () => {
    const fine = stackWithPolicy({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'ec2:TerminateInstances',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' } },
        },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bucket/*' },
        { Effect: 'Deny', Action: '*', Resource: '*' },
      ],
    });
    expect(violationsOf(iamWildcardsRule, { stacks: [fine] })).toEqual([]);
  });

  it('reads policy documents, including the documents they merge', () => {
    const json = {
      data: {
        aws_iam_policy_document: {
          base: { statement: [{ actions: ['sqs:DeleteQueue'], resources: ['*'] }] },
          main: {
            source_policy_documents: [`\${data.aws_iam_policy_document.base.json}`],
            statement: [{ actions: ['sqs:ListQueues'], resources: ['*'] }],
          },
        },
      },
      resource: { aws_iam_role_policy: { p: { policy: `\${data.aws_iam_policy_document.main.json}` } } },
    };
    expect(identityPolicyProblems(json)).toEqual([
      'aws_iam_role_policy.p: a statement allows the mutating action(s) sqs:DeleteQueue on every resource without a condition; name the resources or add a condition',
    ]);
  });

  it('rejects a policy it cannot read rather than letting it pass', () => {
    const json = {
      resource: {
        aws_iam_role: {
          r: { inline_policy: [{ name: 'x', policy: `\${jsonencode(local.policy)}` }] },
        },
      },
    };
    expect(identityPolicyProblems(json)).toEqual([
      'aws_iam_role.r.inline_policy[0]: has a policy built by an expression the rule cannot read; use an aws_iam_policy_document data source',
    ]);
  });

  it('ignores trust and key policies, which are not identity policies', () => {
    const json = {
      data: {
        aws_iam_policy_document: {
          key: { statement: [{ actions: ['kms:*'], resources: ['*'] }] },
        },
      },
      resource: { aws_kms_key: { k: { policy: `\${data.aws_iam_policy_document.key.json}` } } },
    };
    expect(identityPolicyProblems(json)).toEqual([]);
  });
});
