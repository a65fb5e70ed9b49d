import { describe, expect, it } from 'vitest';
import {
  declaredAddresses,
  templateExpressions,
  terraformReferences,
  terraformReferencesRule,
  unresolvedReferences,
} from '../../cli/rules/terraform-references';
import { violationsOf } from '../cli/rule-violations';
import { fixtureConfig, renderConfigs, stackOf } from '../helpers';

describe('references of the synthesized stacks', () => {
  const rendering = renderConfigs([fixtureConfig('prod'), fixtureConfig('dev'), fixtureConfig('stage')]);

  it('resolves every reference of every stack to something declared in that same stack', () => {
    expect(rendering.stacks.map((s) => s.name).sort()).toEqual([
      'dev-blue',
      'dev-blue-bootstrap',
      'dev-live-dns',
      'dev-network',
      'prod-blue',
      'prod-blue-bootstrap',
      'prod-green',
      'prod-green-bootstrap',
      'prod-live-dns',
      'prod-network',
      'stage-green',
      'stage-green-bootstrap',
      'stage-live-dns',
      'stage-network',
    ]);
    expect(violationsOf(terraformReferencesRule, { stacks: rendering.stacks })).toEqual([]);
    for (const stack of rendering.stacks) {
      // The walker did find the stack's references: subnets name the VPC, the cluster its role,
      // the live records the live cluster's data source.
      expect(terraformReferences(stack.json).length, stack.name).toBeGreaterThan(
        /-(live-dns|bootstrap)$/.test(stack.name) ? 0 : 5,
      );
    }
    const blue = stackOf(rendering, 'prod-blue');
    const addresses = new Set(terraformReferences(blue.json).map((r) => r.address));
    expect(addresses).toContain('aws_iam_role.cluster-role');
    expect(addresses).toContain('data.terraform_remote_state.cross-stack-reference-input-prod-network');
    expect(addresses).toContain('aws_cloudwatch_log_group.control-plane-logs'); // from depends_on
  });

  it("rejects a reference to another stack's resource, naming where it is", () => {
    const blue = stackOf(rendering, 'prod-blue');
    const json = structuredClone(blue.json) as Record<string, any>;
    json.resource.aws_eks_cluster.cluster.vpc_config.subnet_ids[0] = `\${aws_subnet.subnet-private-a.id}`;
    expect(violationsOf(terraformReferencesRule, { stacks: [{ ...blue, json }] })).toEqual([
      {
        rule: 'terraform-references',
        file: 'infra/prod-blue.tf.json',
        message:
          'resource.aws_eks_cluster.cluster.vpc_config.subnet_ids[0]: `aws_subnet.subnet-private-a.id` refers to aws_subnet.subnet-private-a, which stack prod-blue does not declare',
      },
    ]);
  });
});

describe('terraform-references rule', () => {
  const stack = (value: unknown, declared: Record<string, any> = {}) => ({
    ...declared,
    resource: { ...declared.resource, test_thing: { probe: { value } } },
  });
  const addresses = (json: Record<string, unknown>) =>
    terraformReferences(json)
      .map((r) => r.address)
      .sort();

  it('finds references in templates nested in string literals and after function calls', () => {
    expect(
      addresses(
        stack(`\${replace(aws_a.b.id, "\${data.aws_c.d.name}", local.e)}-\${var.f}-\${upper(module.g.out)}`),
      ),
    ).toEqual(['aws_a.b', 'data.aws_c.d', 'local.e', 'module.g', 'var.f']);
  });

  it('skips escapes, built-ins, attributes, function names and names bound by for', () => {
    expect(
      addresses(
        stack(
          `$\${aws_not.ref} \${terraform.workspace} \${path.module} \${count.index} \${[for s in var.list : s.id]} %{ for k in local.m }\${k.name}%{ endfor } \${provider::aws::arn_parse(aws_z.w.arn).region} \${aws_x.y.list[0].name}`,
        ),
      ),
    ).toEqual(['aws_x.y', 'aws_z.w', 'local.m', 'var.list']);
  });

  it('reads depends_on entries, which are bare references', () => {
    expect(
      addresses({ resource: { test_thing: { probe: { depends_on: ['aws_a.b', 'data.aws_c.d'] } } } }),
    ).toEqual(['aws_a.b', 'data.aws_c.d']);
  });

  it('ignores the "//" metadata that cdktf writes', () => {
    expect(addresses({ '//': { note: `\${aws_a.b.id}` }, resource: {} })).toEqual([]);
  });

  it('knows resources, data sources, variables, locals and modules as declarations', () => {
    const json = {
      resource: { aws_a: { b: {} } },
      data: { aws_c: { d: {} } },
      variable: { f: {} },
      locals: { e: 1 },
      module: { g: {} },
    };
    expect([...declaredAddresses(json)].sort()).toEqual([
      'aws_a.b',
      'data.aws_c.d',
      'local.e',
      'module.g',
      'var.f',
    ]);
    const refs = stack(
      `\${aws_a.b.id} \${data.aws_c.d.x} \${var.f} \${local.e} \${module.g.o} \${var.missing}`,
      json,
    );
    expect(unresolvedReferences(refs).map((r) => r.address)).toEqual(['var.missing']);
  });

  it('returns the expressions of a template, nested ones included', () => {
    expect(templateExpressions(`a \${x.y} b $\${no} %{ if c }\${"\${z.w}"}%{ endif }`)).toEqual([
      'x.y',
      ' if c ',
      'z.w',
      `"\${z.w}"`,
      ' endif ',
    ]);
  });

  it('rejects an unterminated template', () => {
    expect(() => templateExpressions(`\${aws_a.b.id`)).toThrow(/unterminated template sequence/);
  });
});
