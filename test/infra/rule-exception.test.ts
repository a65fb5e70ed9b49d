import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import type { RenderedStack } from '../../cli/render';
import { iamWildcardsRule } from '../../cli/rules/iam-wildcards';
import { runRules } from '../../cli/rules/run-rules';
import { terraformReferencesRule } from '../../cli/rules/terraform-references';
import { recordRuleException } from '../../infra/constructs/rule-exception';
import { tempDir } from '../cli/run-cli';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A stack with a role policy that allows s3:PutObject on every resource, synthesized by cdktf into
 * cdk.tf.json as the render does; `record` may record exceptions on the policy first.
 */
function synthesized(record?: (policy: IamRolePolicy) => void): RenderedStack {
  const outdir = tempDir('rule-exception');
  outdirs.push(outdir);
  const app = new App({ stackTraces: false, outdir });
  const stack = new TerraformStack(app, 'exceptions');
  new AwsProvider(stack, 'aws', { region: 'ca-central-1' });
  const role = new IamRole(stack, 'role', { name: 'uploader', assumeRolePolicy: '{}' });
  const policy = new IamRolePolicy(stack, 'uploads', {
    role: role.name,
    policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] }),
  });
  record?.(policy);
  app.synth();
  const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'exceptions', 'cdk.tf.json'), 'utf8'));
  return { environment: 'test', name: 'exceptions', path: 'infra/exceptions.tf.json', json };
}

const check = (stack: RenderedStack) =>
  runRules([iamWildcardsRule], { rendering: { objects: [], stacks: [stack], files: [] }, configs: [] });

describe('recordRuleException', () => {
  it('writes the exception into the resource\'s "//" object, beside the metadata cdktf writes there', () => {
    const stack = synthesized((policy) => {
      recordRuleException(policy, 'iam-wildcards', 'uploads land in a bucket per tenant, named at run time');
      recordRuleException(policy, 'terraform-references', 'a second exception keeps the first');
    });
    const block = (stack.json.resource as any).aws_iam_role_policy.uploads;
    expect(block['//']).toEqual({
      metadata: { path: 'exceptions/uploads', uniqueId: 'uploads' },
      'policy.eks-platform.io/exception-iam-wildcards':
        'uploads land in a bucket per tenant, named at run time',
      'policy.eks-platform.io/exception-terraform-references': 'a second exception keeps the first',
    });
    // Nothing Terraform plans changes: the arguments are those of the stack without exceptions.
    const { '//': _, ...arguments_ } = block;
    const { '//': __, ...plain } = (synthesized().json.resource as any).aws_iam_role_policy.uploads;
    expect(arguments_).toEqual(plain);
    expect(
      runRules([terraformReferencesRule], {
        rendering: { objects: [], stacks: [stack], files: [] },
        configs: [],
      }),
    ).toEqual([]);
  });

  it('turns the finding of that rule on that resource into an exception', () => {
    expect(check(synthesized())).toEqual([
      {
        rule: 'iam-wildcards',
        file: 'infra/exceptions.tf.json',
        message: expect.stringContaining(
          'aws_iam_role_policy.uploads: a statement allows the mutating action(s) s3:PutObject',
        ),
      },
    ]);
    const excepted = check(
      synthesized((policy) =>
        recordRuleException(policy, 'iam-wildcards', 'tenant buckets are named at run time'),
      ),
    );
    expect(excepted.map((v) => v.exception)).toEqual(['tenant buckets are named at run time']);
  });

  it('rejects an exception without a reason or with a malformed rule id', () => {
    expect(() => synthesized((policy) => recordRuleException(policy, 'iam-wildcards', '  '))).toThrow(
      'exceptions/uploads: the exception to iam-wildcards needs a reason: why the rule does not apply here',
    );
    expect(() => synthesized((policy) => recordRuleException(policy, 'IAM wildcards', 'why'))).toThrow(
      'exceptions/uploads: rule id must be kebab-case, got "IAM wildcards"',
    );
  });
});
