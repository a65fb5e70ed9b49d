/**
 * The review report on real before/after renders of the fixture platform (issue 16): added objects
 * with their important fields, lists compared by identity, the risk banner, and a stale dist/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldChanges } from '../../cli/diff/keyed-lists';
import { showPair } from '../../cli/diff/value-display';
import {
  diffTrees,
  markdownReport,
  type ResourceChange,
  riskBanner,
  type TreeDiff,
  textReport,
} from '../../cli/resource-diff';
import type { PlatformConfig } from '../../platform/schema';
import { fixtureConfig, renderConfigs } from '../helpers';
import { committedDevRender, runCli } from './run-cli';

function tree(config: PlatformConfig): Map<string, string> {
  return new Map(renderConfigs([config]).files.map((f) => [f.path, f.content]));
}

let prodTree: Map<string, string> | undefined;
/** The unedited prod fixture, rendered once for every test of this file. */
function prod(): Map<string, string> {
  prodTree ??= tree(fixtureConfig('prod'));
  return prodTree;
}

function change(diff: TreeDiff, group: string, resource: string): ResourceChange {
  const found = diff.changes.find((c) => c.group === group && c.resource === resource);
  if (!found) throw new Error(`no change of ${resource} in ${group}`);
  return found;
}

function bannerClasses(diff: TreeDiff): string[] {
  return riskBanner(diff).map((b) => b.class);
}

const CHECKOUT = {
  name: 'checkout',
  namespace: 'shop',
  team: 'shop',
  image: '222222222222.dkr.ecr.ca-central-1.amazonaws.com/checkout:2.0.1',
  port: 8080,
  replicas: { min: 2, max: 4, targetCpuPercent: 70 },
  resources: { cpu: '250m', memory: '256Mi' },
  placement: 'spot',
  dns: { public: 'checkout' },
  clusters: ['blue', 'green'],
};

describe('the review report', () => {
  it('shows a new app with its image, ports, Service type and scheme, and one added AppProject destination', () => {
    const diff = diffTrees(prod(), tree(fixtureConfig('prod', (raw) => raw.apps.push(CHECKOUT))));
    const deployment = change(diff, 'prod-blue', 'Deployment shop/checkout');
    expect(deployment.kind).toBe('added');
    expect(deployment.summary).toContain(`image ${CHECKOUT.image}`);
    expect(deployment.summary).toContain('ports 8080/TCP (http)');
    const publicService = change(diff, 'prod-blue', 'Service shop/checkout-public');
    expect(publicService.summary).toBe(
      'type LoadBalancer; scheme internet-facing; load balancer nlb; ports 80→http/TCP; PublicDNSName checkout',
    );
    expect(publicService.risks).toEqual([
      { class: 'public-exposure', detail: 'internet-facing load balancer for checkout-public (ports 80)' },
    ]);
    expect(change(diff, 'prod-blue', 'Service shop/checkout').summary).toBe(
      'type ClusterIP; ports 80→http/TCP',
    );
    // `shop` sorts before `web`: compared by position, this was `"web" → "shop"` plus a new `"web"`.
    const project = change(diff, 'prod-blue', 'AppProject argocd/prod-blue');
    expect(project.fields).toEqual([
      { path: 'spec.destinations[]', after: { namespace: 'shop', server: 'https://kubernetes.default.svc' } },
    ]);
    // The new namespace gives the appAccess groups (readwrite: edit, debugmode: debug) rights there.
    expect(change(diff, 'prod-blue', 'RoleBinding shop/access-edit').risks).toEqual([
      { class: 'iam-broadening', detail: 'binds ClusterRole edit to Group readwrite' },
    ]);
    expect(bannerClasses(diff).sort()).toEqual(['iam-broadening', 'public-exposure']);
    const markdown = markdownReport(diff, 'main').join('');
    expect(markdown).toContain(
      '- ➕ added `Service shop/checkout-public` — type LoadBalancer; scheme internet-facing; load balancer nlb',
    );
  });

  it('shows a new node group with its instance types, AMI type and sizes', () => {
    const diff = diffTrees(
      prod(),
      tree(
        fixtureConfig('prod', (raw) =>
          raw.clusters[0].nodeGroups.push({
            name: 'batch',
            instanceTypes: ['c6i.large', 'c5.large'],
            capacityType: 'SPOT',
            minSize: 0,
            maxSize: 5,
            diskSizeGiB: 50,
            perAz: false,
          }),
        ),
      ),
    );
    const group = change(diff, 'stack prod-blue', 'aws_eks_node_group.batch');
    expect(group.kind).toBe('added');
    expect(group.summary).toBe(
      'instance types c6i.large, c5.large; AMI type AL2023_x86_64_STANDARD; SPOT; size min 0 / desired 0 / max 5; version 1.34',
    );
    expect(change(diff, 'stack prod-blue', 'aws_launch_template.batch').summary).toBe(
      'root volume 50 GiB gp3',
    );
    // depends_on grows by one node group: the row shows the new item, not two identical stumps.
    const coredns = change(diff, 'stack prod-blue', 'aws_eks_addon.addon-coredns');
    const dependsOn = coredns.fields.find((f) => f.path === 'depends_on');
    expect(dependsOn).toBeDefined();
    const [before, after] = showPair(dependsOn?.before, dependsOn?.after);
    expect(before).not.toBe(after);
    expect(after).toContain('"aws_eks_node_group.batch"');
    expect(before).not.toContain('aws_eks_node_group.batch');
  });

  it('raises the production-traffic banner on a live switch and counts it as risky', () => {
    const diff = diffTrees(prod(), tree(fixtureConfig('prod', (raw) => (raw.live = 'green'))));
    expect(bannerClasses(diff)).toEqual(['live-switch']);
    expect(diff.changes.every((c) => c.risks.some((r) => r.class === 'live-switch'))).toBe(true);
    expect(change(diff, 'stack prod-live-dns', 'aws_route53_record.cluster-name').risks).toEqual([
      {
        class: 'live-switch',
        detail: 'eks.devinfra.local TXT now answers ["prod-green"] (was ["prod-blue"])',
      },
    ]);
    // The API record's text reads the data source: unchanged in dist/, but it follows the switch.
    expect(change(diff, 'stack prod-live-dns', 'data.aws_eks_cluster.live-cluster').risks).toEqual([
      {
        class: 'live-switch',
        detail: 'the live cluster becomes prod-green (was prod-blue): api.devinfra.local CNAME follows it',
      },
    ]);
    const markdown = markdownReport(diff, 'main').join('');
    expect(markdown).toContain(
      '> - **production traffic moves** (6 change(s) in prod-blue, prod-green, stack',
    );
    expect(markdown).toContain('| prod-green | 0 | 2 | 0 | 2 |');
    expect(textReport(diff, 'main')).toContain(
      '! production traffic moves: prod-green starts publishing the live names (live-external-dns-public replicas 0 → 1)',
    );
  });

  it('calls a control-plane downgrade and a minor skip impossible, citing the EKS rule', () => {
    const downgraded = tree(fixtureConfig('prod', (raw) => (raw.clusters[1].kubernetesVersion = '1.33')));
    const downgrade = diffTrees(prod(), downgraded);
    expect(change(downgrade, 'stack prod-green', 'aws_eks_cluster.cluster').risks).toEqual([
      { class: 'impossible', detail: 'control-plane downgrade 1.35 → 1.33: EKS cannot downgrade a cluster' },
    ]);
    // The node groups follow the control plane down, which EKS refuses as well.
    expect(change(downgrade, 'stack prod-green', 'aws_eks_node_group.essential-a').risks).toEqual([
      {
        class: 'impossible',
        detail: expect.stringMatching(
          /^prod-green-essential-a-[0-9a-f]{8}: version 1\.35 → 1\.33: a node group cannot be rolled back to an earlier Kubernetes or AMI version$/,
        ),
      },
      {
        class: 'node-roll',
        detail: expect.stringMatching(
          /^rolls every node of prod-green-essential-a-[0-9a-f]{8}: version "1\.35" → "1\.33"$/,
        ),
      },
    ]);
    expect(bannerClasses(downgrade)).toContain('impossible');
    expect(bannerClasses(downgrade)).not.toContain('control-plane-upgrade');
    expect(markdownReport(downgrade, 'main')[0]).toContain(
      'https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html',
    );
    // The same pair the other way round: 1.33 → 1.35 skips 1.34.
    const skip = diffTrees(downgraded, prod());
    expect(change(skip, 'stack prod-green', 'aws_eks_cluster.cluster').risks).toEqual([
      {
        class: 'impossible',
        detail: 'minor skip 1.33 → 1.35: EKS upgrades one minor at a time (1.34 first)',
      },
    ]);
  });

  it('raises a control-plane upgrade for one minor and a node roll for the node groups that follow', () => {
    const diff = diffTrees(
      prod(),
      tree(
        fixtureConfig('prod', (raw) => {
          raw.clusters[0].kubernetesVersion = '1.35';
          // A pinned AMI release must be of the cluster's minor (refused at load otherwise).
          raw.clusters[0].nodeGroups[2].releaseVersion = '';
        }),
      ),
    );
    expect(change(diff, 'stack prod-blue', 'aws_eks_cluster.cluster').risks.map((r) => r.class)).toEqual([
      'control-plane-upgrade',
    ]);
    expect(bannerClasses(diff).slice(0, 2)).toEqual(['control-plane-upgrade', 'node-roll']);
  });

  it('raises a node roll for an AMI release and a launch template change, and says a node-group replacement creates first', () => {
    const diff = diffTrees(
      prod(),
      tree(
        fixtureConfig('prod', (raw) => {
          raw.clusters[0].nodeGroups[2].releaseVersion = '1.34.2-20251201';
          raw.clusters[0].nodeGroups[2].diskSizeGiB = 120;
          raw.clusters[0].nodeGroups[1].instanceTypes = ['m6i.xlarge', 'm5.xlarge'];
        }),
      ),
    );
    expect(change(diff, 'stack prod-blue', 'aws_eks_node_group.stateful').risks).toEqual([
      {
        class: 'node-roll',
        detail: expect.stringMatching(
          /^rolls every node of prod-blue-stateful-[0-9a-f]{8}: release_version "1\.34\.2-20251112" → "1\.34\.2-20251201"$/,
        ),
      },
    ]);
    expect(change(diff, 'stack prod-blue', 'aws_launch_template.stateful').risks).toEqual([
      {
        class: 'node-roll',
        detail: expect.stringMatching(
          /^a new launch template version \(block_device_mappings\[device_name=\/dev\/xvda\]\.ebs\.volume_size\) rolls every node of prod-blue-stateful-[0-9a-f]{8}$/,
        ),
      },
    ]);
    // The node groups carry create_before_destroy and a name that changes with the replacement.
    const spot = change(diff, 'stack prod-blue', 'aws_eks_node_group.spot-a');
    expect(spot.risks).toEqual([
      {
        class: 'replacement',
        detail:
          'replaces the node group (node_group_name, instance_types): the new group is created before the old one is destroyed (create_before_destroy): no capacity gap',
      },
    ]);
    expect(spot.fields).toEqual(
      expect.arrayContaining([
        {
          path: 'instance_types',
          before: ['m6i.xlarge', 'm5.xlarge', 'm5a.xlarge'],
          after: ['m6i.xlarge', 'm5.xlarge'],
        },
        {
          path: 'node_group_name',
          before: expect.stringMatching(/^prod-blue-spot-a-[0-9a-f]{8}$/),
          after: expect.stringMatching(/^prod-blue-spot-a-[0-9a-f]{8}$/),
        },
      ]),
    );
    expect(bannerClasses(diff)).toEqual(['node-roll', 'replacement']);
  });

  it('says which DNS records stay in Route 53 when an app with DNS names is removed', () => {
    const diff = diffTrees(
      prod(),
      tree(
        fixtureConfig(
          'prod',
          (raw) => (raw.apps = raw.apps.filter((a: { name: string }) => a.name !== 'web')),
        ),
      ),
    );
    expect(bannerClasses(diff)).toEqual(['deletion', 'dns-left-behind']);
    const left = change(diff, 'prod-blue', 'Service web/web-public').risks.find(
      (r) => r.class === 'dns-left-behind',
    );
    // blue is live: its live instance published the apex name too.
    expect(left?.detail).toBe(
      'www.devinfra.fr, www.eks-blue.devinfra.fr stay in Route 53 (external-dns runs --policy=upsert-only on prod-blue): delete them by hand',
    );
  });
});

describe('retiring a cluster', () => {
  it('says the removed external-dns instances leave their records behind, and flags a wider public endpoint', () => {
    const diff = diffTrees(
      prod(),
      tree(
        fixtureConfig('prod', (raw) => {
          raw.clusters = raw.clusters.filter((c: { color: string }) => c.color === 'blue');
          for (const app of raw.apps) app.clusters = ['blue'];
          raw.clusters[0].endpoint.publicAccessCidrs.push('198.51.100.0/24');
        }),
      ),
    );
    expect(bannerClasses(diff)).toEqual(['deletion', 'public-exposure', 'dns-left-behind']);
    expect(change(diff, 'prod-green', 'Deployment kube-system/external-dns-public').risks).toEqual([
      { class: 'deletion', detail: 'deleted from the cluster when Argo CD prunes it' },
      {
        class: 'dns-left-behind',
        detail:
          'external-dns-public runs --policy=upsert-only: the records it published (PublicDNSName names under eks-green.devinfra.fr) stay in Route 53 and nothing deletes them',
      },
    ]);
    // green is not live: its live instances publish nothing, so they leave nothing behind.
    expect(
      change(diff, 'prod-green', 'Deployment kube-system/live-external-dns-public').risks.map((r) => r.class),
    ).toEqual(['deletion']);
    expect(change(diff, 'stack prod-green', 'aws_eks_cluster.cluster').risks).toEqual([
      { class: 'deletion', detail: 'cluster prod-green: every object on it and its data are lost' },
    ]);
    expect(change(diff, 'stack prod-blue', 'aws_eks_cluster.cluster').risks).toEqual([
      {
        class: 'public-exposure',
        detail: 'public Kubernetes API endpoint of prod-blue reachable from 198.51.100.0/24',
      },
    ]);
  });
});

describe('added IAM resources', () => {
  it('show the trust principals and actions of the policy documents they use, and raise IAM broadening', () => {
    const stack = {
      data: {
        aws_iam_policy_document: {
          trust: {
            statement: [
              {
                actions: ['sts:AssumeRole'],
                effect: 'Allow',
                principals: [{ identifiers: ['ec2.amazonaws.com'], type: 'Service' }],
              },
            ],
          },
        },
      },
      resource: {
        aws_iam_role: {
          // A Terraform interpolation, not a template string.
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform syntax
          node: { assume_role_policy: '${data.aws_iam_policy_document.trust.json}', name: 'node' },
        },
      },
    };
    const diff = diffTrees(new Map(), new Map([['infra/s.tf.json', JSON.stringify(stack)]]));
    expect(change(diff, 'stack s', 'aws_iam_role.node').summary).toBe(
      'trust: Allow sts:AssumeRole for Service ec2.amazonaws.com',
    );
    expect(change(diff, 'stack s', 'data.aws_iam_policy_document.trust').risks).toEqual([
      { class: 'iam-broadening', detail: 'new actions sts:AssumeRole' },
      { class: 'iam-broadening', detail: 'new principals Service ec2.amazonaws.com' },
    ]);
  });
});

describe('keyed list diffs', () => {
  it('compares containers and env by name and volume mounts by mount path', () => {
    const pod = (env: { name: string; value: string }[], mounts: { name: string; mountPath: string }[]) => ({
      containers: [
        { name: 'sidecar', image: 'proxy:1' },
        { name: 'app', image: 'app:1', env, volumeMounts: mounts },
      ],
    });
    const before = pod(
      [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
      [{ name: 'data', mountPath: '/data' }],
    );
    const after = pod(
      [
        { name: 'NEW', value: '0' },
        { name: 'A', value: '1' },
        { name: 'B', value: '3' },
      ],
      [
        { name: 'data', mountPath: '/cache' },
        { name: 'data', mountPath: '/data' },
      ],
    );
    expect(fieldChanges(before, after)).toEqual([
      { path: 'containers[name=app].env[name=B].value', before: '2', after: '3' },
      { path: 'containers[name=app].env[name=NEW]', after: { name: 'NEW', value: '0' } },
      {
        path: 'containers[name=app].volumeMounts[mountPath=/cache]',
        after: { name: 'data', mountPath: '/cache' },
      },
    ]);
  });

  it('compares RBAC rules as a set: a reordering is no change, a new rule is one row', () => {
    const a = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };
    const b = { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] };
    const c = { apiGroups: [''], resources: ['secrets'], verbs: ['get'] };
    expect(fieldChanges({ rules: [a, b] }, { rules: [b, a] })).toEqual([]);
    expect(fieldChanges({ rules: [a, b] }, { rules: [c, b, a] })).toEqual([{ path: 'rules[]', after: c }]);
  });

  it('shortens long values around the difference, never at a prefix both sides share', () => {
    const prefix = 'x'.repeat(200);
    const [before, after] = showPair(`${prefix}-old-tail`, `${prefix}-new-tail`);
    expect(before).toContain('-old-tail');
    expect(after).toContain('-new-tail');
    expect(before.length).toBeLessThanOrEqual(125);
  });
});

describe('npm run diff on a stale dist/', () => {
  it('fails with exit 1 naming npm run synth when the config was edited without a re-render', () => {
    const { dist, config } = committedDevRender();
    const fresh = runCli(['diff', '--base', 'HEAD', '--config', config, '--dist', dist]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('no changes against `HEAD`');
    const env = join(config, 'dev.yaml');
    writeFileSync(env, readFileSync(env, 'utf8').replace('maxSize: 6', 'maxSize: 7'));
    const stale = runCli(['diff', '--base', 'HEAD', '--config', config, '--dist', dist]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toBe('');
    expect(stale.stderr).toContain('diff: dist/ is stale');
    expect(stale.stderr).toContain('run `npm run synth`');
    expect(stale.stderr).toContain('dist/infra/dev-blue.tf.json: differs from the render');
  });
});
