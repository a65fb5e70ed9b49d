import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffTrees, jsonReport, markdownReport, textReport } from '../../cli/resource-diff';
import { fixtureConfig, renderConfigs } from '../helpers';
import { committedDevRender, runCli, tempDir } from './run-cli';

function treeOf(files: readonly { path: string; content: string }[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, f.content]));
}

const deployment = (replicas: number, selector = 'web') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: web\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${selector}\n`;

describe('npm run diff', () => {
  it('says "no changes" for an unchanged tree', () => {
    const tree = treeOf(renderConfigs([fixtureConfig('dev')]).files);
    const diff = diffTrees(tree, tree);
    expect(diff.changes).toEqual([]);
    expect(markdownReport(diff, 'main')).toEqual(['### eks-platform: no changes against `main`\n']);
    expect(textReport(diff, 'main')).toBe('no changes against main\n');
  });

  it('lists only the changed objects of a live switch, field by field, without false alarms', () => {
    const blue = treeOf(renderConfigs([fixtureConfig('prod')]).files);
    const green = treeOf(renderConfigs([fixtureConfig('prod', (raw) => (raw.live = 'green'))]).files);
    const diff = diffTrees(blue, green);
    const summary = diff.changes.map(
      (c) =>
        `${c.group}: ${c.resource}: ${c.fields.map((f) => `${f.path} ${JSON.stringify(f.before)}->${JSON.stringify(f.after)}`).join(', ')}`,
    );
    expect(summary).toEqual([
      'stack prod-live-dns: aws_route53_record.cluster-name: records ["prod-blue"]->["prod-green"]',
      'stack prod-live-dns: data.aws_eks_cluster.live-cluster: name "prod-blue"->"prod-green"',
      'prod-blue: Deployment kube-system/live-external-dns-private: spec.replicas 1->0',
      'prod-blue: Deployment kube-system/live-external-dns-public: spec.replicas 1->0',
      'prod-green: Deployment kube-system/live-external-dns-private: spec.replicas 0->1',
      'prod-green: Deployment kube-system/live-external-dns-public: spec.replicas 0->1',
    ]);
    // Production traffic moves: every change of a live switch is risky (issue 16; this test used to
    // expect none), and reading another cluster is not replacing one: no other class is raised.
    expect(diff.changes.flatMap((c) => c.risks.map((r) => r.class))).toEqual(Array(6).fill('live-switch'));
    const markdown = markdownReport(diff, 'main').join('');
    expect(markdown).toContain('| stack prod-live-dns | 0 | 2 | 0 | 2 |');
    expect(markdown).not.toMatch(/\n\n\n/);
  });

  it('shows each changed field as a path with the old and new value', () => {
    const diff = diffTrees(
      new Map([['c/x/d.yaml', deployment(1)]]),
      new Map([['c/x/d.yaml', deployment(3)]]),
    );
    expect(diff.changes).toEqual([
      {
        group: 'c',
        resource: 'Deployment web/web',
        file: 'c/x/d.yaml',
        kind: 'changed',
        summary: '',
        fields: [{ path: 'spec.replicas', before: 1, after: 3 }],
        risks: [],
      },
    ]);
    expect(textReport(diff, 'main')).toContain('spec.replicas: 1 -> 3');
    expect(markdownReport(diff, 'main')[0]).toContain('| `spec.replicas` | `1` | `3` |');
  });

  it('flags a deletion, an immutable selector change, a node group replacement and an IAM trust change', () => {
    const stack = (instance: string, principal: string, extra = {}) =>
      JSON.stringify({
        resource: {
          aws_eks_node_group: { spot: { instance_types: [instance], scaling_config: [{ max_size: 3 }] } },
          aws_iam_role: {
            node: {
              assume_role_policy: JSON.stringify({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: principal } }],
              }),
            },
          },
          ...extra,
        },
      });
    const before = new Map([
      ['c/x/d.yaml', deployment(1)],
      ['c/x/gone.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone\n  namespace: x\n'],
      ['infra/s.tf.json', stack('m5.large', 'ec2.amazonaws.com')],
    ]);
    const after = new Map([
      ['c/x/d.yaml', deployment(1, 'web2')],
      ['infra/s.tf.json', stack('m6i.large', 'eks.amazonaws.com')],
    ]);
    const risks = Object.fromEntries(diffTrees(before, after).changes.map((c) => [c.resource, c.risks]));
    expect(risks['ConfigMap x/gone']).toEqual([
      { class: 'deletion', detail: 'deleted from the cluster when Argo CD prunes it' },
    ]);
    expect(risks['Deployment web/web']).toEqual([
      { class: 'impossible', detail: expect.stringMatching(/^immutable selector changed/) },
    ]);
    // The replacement now says whether capacity goes first (issue 16).
    expect(risks['aws_eks_node_group.spot']).toEqual([
      {
        class: 'replacement',
        detail: expect.stringMatching(/^replaces the node group \(instance_types\): capacity is lost first/),
      },
    ]);
    expect(risks['aws_iam_role.node']).toEqual([
      { class: 'iam-broadening', detail: 'new principals Service eks.amazonaws.com' },
    ]);
  });

  it('redacts Secret values', () => {
    const secret = (v: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: x\ndata:\n  password: ${v}\n`;
    const diff = diffTrees(
      new Map([['c/x/s.yaml', secret('b2xk')]]),
      new Map([['c/x/s.yaml', secret('bmV3')]]),
    );
    const out = jsonReport(diff, 'main') + textReport(diff, 'main') + markdownReport(diff, 'main').join('');
    expect(out).not.toContain('b2xk');
    expect(out).not.toContain('bmV3');
  });

  it('splits a long Markdown report into parts under the comment limit', () => {
    const before = new Map<string, string>();
    const after = new Map<string, string>();
    for (let i = 0; i < 400; i++) {
      before.set(`c/x/d${i}.yaml`, deployment(1).replace('name: web\n', `name: web${i}\n`));
      after.set(`c/x/d${i}.yaml`, deployment(2).replace('name: web\n', `name: web${i}\n`));
    }
    const parts = markdownReport(diffTrees(before, after), 'main', 10_000);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(10_000);
    expect(parts[0]).toMatch(/^<!-- eks-platform diff: part 1 of \d+ -->/);
  });

  it('compares a git revision with the working tree and exits 2 on an unknown revision', () => {
    const { dist, config } = committedDevRender();
    // A config edit, rendered: the report shows it.
    const env = join(config, 'dev.yaml');
    writeFileSync(env, readFileSync(env, 'utf8').replace('team: frontend', 'team: growth'));
    expect(runCli(['synth', '--config', config, '--dist', dist, '--tf-out', tempDir('tfout')]).code).toBe(0);
    const json = runCli(['diff', '--base', 'main', '--config', config, '--dist', dist, '--format', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout || '{}');
    const namespace = report.changes.find((c: { resource: string }) => c.resource === 'Namespace web');
    expect(namespace).toMatchObject({ kind: 'changed' });
    expect(namespace.fields).toEqual([{ path: 'metadata.labels.team', before: 'frontend', after: 'growth' }]);
    const bad = runCli(['diff', '--base', 'no-such-branch', '--dist', dist]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown revision "no-such-branch"');
  });
});
