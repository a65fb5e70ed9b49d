import { describe, expect, it } from 'vitest';
import { terraformReferencesRule } from '../../cli/rules/terraform-references';
import { ConfigError } from '../../platform/load';
import { violationsOf } from '../cli/rule-violations';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { dataOf, one, ref } from './stack-json';

const DEPLOY = 'arn:aws:iam::111111111111:role/ci/deploy';
const CLUSTER_ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

describe('the bootstrap: who and from where', () => {
  const prod = fixtureConfig('prod', (raw) => {
    raw.gitops.bootstrapRoleArn = DEPLOY;
  });
  const rendering = renderConfigs([prod, fixtureConfig('stage')]);
  const preconditions = (stack: string) =>
    one(dataOf(stackOf(rendering, stack), 'aws_eks_cluster'), 'cluster').lifecycle?.precondition ?? [];

  it('gives gitops.bootstrapRoleArn a cluster-admin access entry on every cluster', () => {
    for (const name of ['prod-blue', 'prod-green']) {
      const stack = stackOf(rendering, name);
      expect(one(resourcesOf(stack, 'aws_eks_access_entry'), 'access-111111111111-deploy')).toMatchObject({
        principal_arn: DEPLOY,
        type: 'STANDARD',
      });
      expect(
        one(
          resourcesOf(stack, 'aws_eks_access_policy_association'),
          'access-111111111111-deploy-cluster-admin',
        ),
      ).toMatchObject({
        principal_arn: ref('aws_eks_access_entry.access-111111111111-deploy.principal_arn'),
        policy_arn: CLUSTER_ADMIN,
        access_scope: { type: 'cluster' },
      });
    }
  });

  it('makes an access role that is also the bootstrap role cluster admin on its one entry', () => {
    const config = fixtureConfig('prod', (raw) => {
      raw.gitops.bootstrapRoleArn = raw.access.find((a: any) => !a.groups.includes('system:masters')).roleArn;
    });
    const stack = stackOf(renderConfigs([config]), 'prod-blue');
    const entries = Object.values(resourcesOf(stack, 'aws_eks_access_entry'));
    expect(entries.filter((e) => e.principal_arn === config.gitops.bootstrapRoleArn)).toHaveLength(1);
    const admins = Object.values(resourcesOf(stack, 'aws_eks_access_policy_association'));
    expect(admins).toHaveLength(2);
  });

  it('stops the plan of a private-only cluster until the run says it reaches the VPC', () => {
    // prod green's endpoint is private only, prod blue's is public.
    const green = stackOf(rendering, 'prod-green-bootstrap');
    expect((green.json.variable as any).inside_vpc).toMatchObject({ type: 'bool', default: false });
    expect(preconditions('prod-green-bootstrap')[0]).toEqual({
      condition: ref('var.inside_vpc'),
      error_message: expect.stringContaining(
        'prod-green has a private API endpoint only (clusters[color=green].endpoint.publicAccess is false): run the bootstrap from a network that reaches the VPC',
      ),
    });
    expect(stackOf(rendering, 'prod-blue-bootstrap').json.variable).toBeUndefined();
    expect(preconditions('prod-blue-bootstrap').map((p: any) => p.condition)).not.toContain(
      ref('var.inside_vpc'),
    );
  });

  it('stops the plan when the caller is not one of the cluster-admin roles of config', () => {
    const stack = stackOf(rendering, 'prod-blue-bootstrap');
    expect(one(dataOf(stack, 'aws_iam_session_context'), 'caller-session').arn).toBe(
      ref('data.aws_caller_identity.caller.arn'),
    );
    const [identity] = preconditions('prod-blue-bootstrap');
    expect(identity.condition).toBe(
      ref(
        'contains(["arn:aws:iam::111111111111:role/k8sadmin", "arn:aws:iam::111111111111:role/deploy"], replace(data.aws_iam_session_context.caller-session.issuer_arn, "/:role/(.*/)?/", ":role/"))',
      ),
    );
    expect(identity.error_message).toContain('has no cluster-admin access entry');
    expect(
      violationsOf(terraformReferencesRule, { stacks: [stack, stackOf(rendering, 'prod-green-bootstrap')] }),
    ).toEqual([]);
  });

  it('checks no identity in CONFIG_MAP mode, where the creator of the cluster is admin', () => {
    const stage = stackOf(rendering, 'stage-green-bootstrap');
    expect(dataOf(stage, 'aws_iam_session_context')).toEqual({});
    expect(preconditions('stage-green-bootstrap').map((p: any) => p.condition)).toEqual([
      ref('var.inside_vpc'),
    ]);
  });

  it('rejects a bootstrap role in CONFIG_MAP mode', () => {
    const edit = (raw: any) => {
      raw.gitops.bootstrapRoleArn = 'arn:aws:iam::444444444444:role/deploy';
    };
    expect(() => fixtureConfig('stage', edit)).toThrow(ConfigError);
    expect(() => fixtureConfig('stage', edit)).toThrow(
      /gitops\.bootstrapRoleArn: is not allowed with authenticationMode CONFIG_MAP/,
    );
  });

  it('rejects a bootstrap role whose name is an access role of another path', () => {
    expect(() =>
      fixtureConfig('prod', (raw) => {
        raw.gitops.bootstrapRoleArn = 'arn:aws:iam::111111111111:role/other/k8sadmin';
      }),
    ).toThrow(/gitops\.bootstrapRoleArn: must name another role than access\[0\]\.roleArn/);
  });
});
