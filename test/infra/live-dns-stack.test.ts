import { App } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { iamWildcardsRule } from '../../cli/rules/iam-wildcards';
import { terraformReferencesRule } from '../../cli/rules/terraform-references';
import { addPlatformStacks } from '../../infra/platform-stacks';
import { LIVE_DNS_TTL } from '../../infra/stacks/live-dns-stack';
import { violationsOf } from '../cli/rule-violations';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { dataOf, one, ref, withoutMetadata } from './stack-json';

/** Every leaf where two JSON values differ, as `path: before -> after`. */
function leafDiff(before: unknown, after: unknown, path = ''): string[] {
  const isObject = (v: unknown) => v !== null && typeof v === 'object';
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) =>
      leafDiff(a[k], b[k], Array.isArray(before) ? `${path}[${k}]` : `${path}.${k}`),
    );
  }
  return JSON.stringify(before) === JSON.stringify(after)
    ? []
    : [`${path}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
}

describe('live DNS stacks', () => {
  const prod = fixtureConfig('prod');
  const dev = fixtureConfig('dev');
  const rendering = renderConfigs([prod, dev]);
  const stack = stackOf(rendering, 'prod-live-dns');
  const records = (s = stack) => resourcesOf(s, 'aws_route53_record');

  it('makes one stack per environment, named <env>-live-dns, that deploys alone', () => {
    expect(rendering.stacks.map((s) => s.name).filter((n) => n.endsWith('-live-dns'))).toEqual([
      'prod-live-dns',
      'dev-live-dns',
    ]);
    // cdktf refuses `cdktf deploy prod-live-dns` alone when the stack has a dependency.
    expect(addPlatformStacks(new App({ stackTraces: false }), prod).liveDns.dependencies).toEqual([]);
    expect(dataOf(stack, 'terraform_remote_state')).toEqual({});
  });

  it("points api.<private zone> at the live cluster's API endpoint host", () => {
    expect(one(dataOf(stack, 'aws_eks_cluster'), 'live-cluster').name).toBe('prod-blue');
    expect(one(records(), 'api')).toMatchObject({
      zone_id: 'Z0000000PRIVATE',
      name: 'api.devinfra.local',
      type: 'CNAME',
      ttl: 60,
      records: [ref('trimprefix(data.aws_eks_cluster.live-cluster.endpoint, "https://")')],
    });
  });

  it('holds the live cluster name in the TXT record eks.<private zone>', () => {
    expect(one(records(), 'cluster-name')).toMatchObject({
      zone_id: 'Z0000000PRIVATE',
      name: 'eks.devinfra.local',
      type: 'TXT',
      ttl: LIVE_DNS_TTL,
      records: ['prod-blue'],
    });
    const devStack = stackOf(rendering, 'dev-live-dns');
    expect(one(records(devStack), 'cluster-name')).toMatchObject({
      zone_id: 'Z0000000DEVPRIV',
      name: 'eks.dev.devinfra.local',
      records: ['dev-blue'],
    });
    expect(one(records(devStack), 'api').name).toBe('api.dev.devinfra.local');
    expect(LIVE_DNS_TTL).toBe(60);
  });

  it('takes over api and eks records that already exist in the zone, so an existing setup can be adopted', () => {
    for (const id of ['api', 'cluster-name']) {
      expect(one(records(), id).allow_overwrite, id).toBe(true);
    }
  });

  it('resolves every reference inside its stack and grants no IAM permission', () => {
    const mine = rendering.stacks.filter((s) => s.name.endsWith('-live-dns'));
    expect(violationsOf(terraformReferencesRule, { stacks: mine })).toEqual([]);
    expect(violationsOf(iamWildcardsRule, { stacks: mine })).toEqual([]);
    for (const s of mine) expect(Object.keys(s.json.resource as object)).toEqual(['aws_route53_record']);
  });

  it('changes only the live DNS records and the live external-dns replicas when live flips', () => {
    const flipped = renderConfigs([
      fixtureConfig('prod', (raw) => {
        raw.live = 'green';
      }),
    ]);
    const before = rendering.stacks.filter((s) => s.environment === 'prod');
    expect(flipped.stacks.map((s) => s.name)).toEqual(before.map((s) => s.name));

    const terraform = before.flatMap((s) =>
      leafDiff(withoutMetadata(s.json), withoutMetadata(stackOf(flipped, s.name).json)).map(
        (d) => `${s.name}${d}`,
      ),
    );
    expect(terraform).toEqual([
      'prod-live-dns.data.aws_eks_cluster.live-cluster.name: "prod-blue" -> "prod-green"',
      'prod-live-dns.resource.aws_route53_record.cluster-name.records[0]: "prod-blue" -> "prod-green"',
    ]);

    const objects = rendering.objects.filter((o) => o.environment === 'prod');
    expect(flipped.objects.map((o) => o.path).sort()).toEqual(objects.map((o) => o.path).sort());
    const kubernetes = objects.flatMap((o) => {
      const after = flipped.objects.find((f) => f.path === o.path);
      return leafDiff(o.object, after?.object).map((d) => `${o.path}${d}`);
    });
    expect(kubernetes.sort()).toEqual([
      'prod-blue/external-dns/deployment.apps_kube-system_live-external-dns-private.yaml.spec.replicas: 1 -> 0',
      'prod-blue/external-dns/deployment.apps_kube-system_live-external-dns-public.yaml.spec.replicas: 1 -> 0',
      'prod-green/external-dns/deployment.apps_kube-system_live-external-dns-private.yaml.spec.replicas: 0 -> 1',
      'prod-green/external-dns/deployment.apps_kube-system_live-external-dns-public.yaml.spec.replicas: 0 -> 1',
    ]);
  });
});
