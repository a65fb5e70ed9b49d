import { describe, expect, it } from 'vitest';
import { iamWildcardsRule } from '../../cli/rules/iam-wildcards';
import {
  AWS_LOAD_BALANCER_CONTROLLER_POLICY_SOURCE,
  LOAD_BALANCER_CONTROLLER_READ_ACTIONS,
} from '../../infra/policies/aws-load-balancer-controller-policy';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { documentOf, one, webIdentityTrustStatement } from './stack-json';

describe('AWS Load Balancer Controller add-on (infra)', () => {
  const prod = fixtureConfig('prod', (raw) => {
    raw.addons = { ...raw.addons, loadBalancerController: { enabled: true } };
  });
  const stageOff = fixtureConfig('stage');
  const rendering = renderConfigs([prod, stageOff]);
  const blue = stackOf(rendering, 'prod-blue');
  const statements = () =>
    documentOf(
      blue,
      one(resourcesOf(blue, 'aws_iam_role_policy'), 'irsa-load-balancer-controller-permissions').policy,
    ).statement as Record<string, any>[];
  const sid = (name: string) => statements().find((s) => s.sid === name) as Record<string, any>;

  it('trusts, in the role <cluster>-load-balancer-controller, exactly kube-system/aws-load-balancer-controller of its cluster', () => {
    const role = one(resourcesOf(blue, 'aws_iam_role'), 'irsa-load-balancer-controller');
    expect(role.name).toBe('prod-blue-load-balancer-controller');
    expect(documentOf(blue, role.assume_role_policy).statement).toEqual([
      webIdentityTrustStatement('system:serviceaccount:kube-system:aws-load-balancer-controller'),
    ]);
  });

  it(`takes the upstream policy (${AWS_LOAD_BALANCER_CONTROLLER_POLICY_SOURCE}), its reads unchanged`, () => {
    expect(AWS_LOAD_BALANCER_CONTROLLER_POLICY_SOURCE).toContain('/blob/v3.5.0/docs/install/iam_policy.json');
    expect(sid('Describe')).toEqual({
      sid: 'Describe',
      effect: 'Allow',
      actions: [...LOAD_BALANCER_CONTROLLER_READ_ACTIONS],
      resources: ['*'],
    });
    // Upstream's 29 read actions, among them what finds the VPC by its Name tag.
    expect(LOAD_BALANCER_CONTROLLER_READ_ACTIONS).toHaveLength(29);
    expect(LOAD_BALANCER_CONTROLLER_READ_ACTIONS).toContain('ec2:DescribeVpcs');
    expect(statements().map((s) => s.sid)).toEqual([
      'CreateElbServiceLinkedRole',
      'Describe',
      'ReadCertificates',
      'TargetSecurityGroupRules',
      'CreateSecurityGroups',
      'TagNewSecurityGroups',
      'TagOwnSecurityGroups',
      'ChangeOwnSecurityGroups',
      'CreateOwnLoadBalancers',
      'Listeners',
      'TagOwnLoadBalancers',
      'TagListeners',
      'ChangeOwnLoadBalancers',
      'TagOnCreate',
      'RegisterTargets',
      'ChangeListenersAndRules',
    ]);
  });

  it("ties what it creates and changes to this cluster's elbv2.k8s.aws/cluster tag, in this account and region", () => {
    const ownership = { test: 'StringEquals', values: ['prod-blue'] };
    expect(sid('CreateOwnLoadBalancers')).toMatchObject({
      resources: ['arn:aws:elasticloadbalancing:ca-central-1:111111111111:*'],
      condition: [{ ...ownership, variable: 'aws:RequestTag/elbv2.k8s.aws/cluster' }],
    });
    expect(sid('ChangeOwnLoadBalancers').condition).toEqual([
      { ...ownership, variable: 'aws:ResourceTag/elbv2.k8s.aws/cluster' },
    ]);
    expect(sid('ChangeOwnLoadBalancers').actions).toContain('elasticloadbalancing:DeleteLoadBalancer');
    expect(sid('ChangeOwnSecurityGroups')).toMatchObject({
      actions: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:DeleteSecurityGroup',
      ],
      resources: ['arn:aws:ec2:ca-central-1:111111111111:security-group/*'],
      condition: [{ ...ownership, variable: 'aws:ResourceTag/elbv2.k8s.aws/cluster' }],
    });
    expect(sid('TagOwnLoadBalancers').condition).toEqual([
      { test: 'Null', variable: 'aws:RequestTag/elbv2.k8s.aws/cluster', values: ['true'] },
      { ...ownership, variable: 'aws:ResourceTag/elbv2.k8s.aws/cluster' },
    ]);
    // No WAF or Shield: the controller runs with them off.
    expect(JSON.stringify(statements())).not.toMatch(/waf|shield/);
    // Not a single resource of another account or region.
    for (const statement of statements()) {
      for (const resource of statement.resources as string[]) {
        if (resource === '*') continue;
        expect(resource).toMatch(
          /^arn:aws:(ec2|elasticloadbalancing):ca-central-1:111111111111:|^arn:aws:iam::111111111111:/,
        );
      }
    }
    // The green cluster's role names green.
    const green = stackOf(rendering, 'prod-green');
    const greenPolicy = one(
      resourcesOf(green, 'aws_iam_role_policy'),
      'irsa-load-balancer-controller-permissions',
    );
    expect(JSON.stringify(documentOf(green, greenPolicy.policy))).toContain('"prod-green"');
    expect(JSON.stringify(documentOf(green, greenPolicy.policy))).not.toContain('prod-blue');
  });

  it('leaves no mutating action on every resource, so iam-wildcards passes without an exception', () => {
    const mutatingOnEverything = statements().filter(
      (s) =>
        (s.resources as string[]).includes('*') &&
        s.condition === undefined &&
        s.sid !== 'Describe' &&
        s.sid !== 'ReadCertificates',
    );
    expect(mutatingOnEverything).toEqual([]);
    expect(iamWildcardsRule.check({ rendering, configs: [prod, stageOff] })).toEqual([]);
  });

  it('creates no role when the add-on is off (the default)', () => {
    const stage = stackOf(rendering, 'stage-green');
    expect(resourcesOf(stage, 'aws_iam_role')['irsa-load-balancer-controller']).toBeUndefined();
    expect(JSON.stringify(stage.json)).not.toContain('load-balancer-controller');
  });

  it('names the VPC as the controller finds it: the Name tag <environment>-vpc', () => {
    const network = stackOf(rendering, 'prod-network');
    expect(one(resourcesOf(network, 'aws_vpc'), 'vpc').tags).toMatchObject({ Name: 'prod-vpc' });
  });
});
