import { describe, expect, it } from 'vitest';
import type { RenderedObject, Rendering } from '../../cli/render';
import { selectorMatches } from '../../cli/rules/label-selectors';
import { NETWORK_POLICY_COVERAGE, networkPolicyCoverageRule } from '../../cli/rules/network-policy-coverage';
import { exceptionKey } from '../../cli/rules/rule';
import { FIXTURE_ENVIRONMENTS, fixtureConfig, renderConfigs } from '../helpers';

const configs = FIXTURE_ENVIRONMENTS.map((env) => fixtureConfig(env));
const rendering = renderConfigs(configs);
const check = (r: Rendering) => networkPolicyCoverageRule.check({ rendering: r, configs });

const clone = <T>(value: T): T => structuredClone(value);

/** The rendering with each object passed through `edit`; `undefined` drops the object. */
function editObjects(edit: (o: RenderedObject) => RenderedObject | undefined): Rendering {
  return {
    ...rendering,
    objects: rendering.objects.flatMap((o) => {
      const edited = edit({ ...o, object: clone(o.object) });
      return edited === undefined ? [] : [edited];
    }),
  };
}

const isPolicyOf = (o: RenderedObject, cluster: string, namespace: string) =>
  o.cluster === cluster &&
  o.object.kind === 'NetworkPolicy' &&
  (o.object.metadata as { namespace: string }).namespace === namespace;

describe('rule network-policy-coverage', () => {
  it('passes on every fixture cluster, whose add-on namespaces are out of its scope', () => {
    expect(check(rendering)).toEqual([]);
    // kube-system runs workloads and has no NetworkPolicy: not an application namespace.
    expect(
      rendering.objects.some(
        (o) =>
          o.object.kind === 'Deployment' &&
          (o.object.metadata as { namespace: string }).namespace === 'kube-system',
      ),
    ).toBe(true);
  });

  it("fails every workload of an app namespace whose policies were removed, with the workload's annotations as subject", () => {
    const broken = editObjects((o) => (isPolicyOf(o, 'prod-blue', 'payments') ? undefined : o));
    const findings = check(broken);
    expect(findings.map((f) => f.file).sort()).toEqual([
      'prod-blue/apps-ledger/cronjob.batch_payments_ledger-reconciliation.yaml',
      'prod-blue/apps-ledger/deployment.apps_payments_ledger.yaml',
    ]);
    expect(findings[0]?.message).toMatch(
      /^(CronJob|Deployment) payments\/ledger(-reconciliation)?: no NetworkPolicy of type Ingress in application namespace payments selects its pods .*the namespace has none/,
    );
    for (const finding of findings) {
      expect(finding.subject?.['argocd.argoproj.io/sync-wave']).toBe('0');
    }
  });

  it('fails the workload a selector misses, and only that one', () => {
    const broken = editObjects((o) => {
      if (isPolicyOf(o, 'prod-green', 'payments')) {
        (o.object.spec as Record<string, unknown>).podSelector = {
          matchLabels: { 'app.kubernetes.io/name': 'ledger' },
        };
      }
      return o;
    });
    const findings = check(broken);
    expect(findings.map((f) => f.file)).toEqual([
      'prod-green/apps-ledger/cronjob.batch_payments_ledger-reconciliation.yaml',
    ]);
    expect(findings[0]?.message).toContain('its ingress policies select default-deny-ingress');
  });

  it('fails pods whose only policies are of type Egress', () => {
    const broken = editObjects((o) => {
      if (isPolicyOf(o, 'dev-blue', 'web'))
        (o.object.spec as Record<string, unknown>).policyTypes = ['Egress'];
      return o;
    });
    expect(check(broken).map((f) => f.file)).toEqual(['dev-blue/apps-web/deployment.apps_web_web.yaml']);
  });

  it('carries an exception written on the workload in the finding subject', () => {
    const broken = editObjects((o) => {
      if (isPolicyOf(o, 'dev-blue', 'web')) return undefined;
      if (o.cluster === 'dev-blue' && o.object.kind === 'Deployment' && o.component === 'apps-web') {
        const metadata = o.object.metadata as { annotations: Record<string, string> };
        metadata.annotations[exceptionKey(NETWORK_POLICY_COVERAGE)] = 'open on purpose for a load test';
      }
      return o;
    });
    const [finding] = check(broken);
    expect(finding?.subject?.[exceptionKey(NETWORK_POLICY_COVERAGE)]).toBe('open on purpose for a load test');
  });

  it('fails a cluster stack whose vpc-cni add-on does not enable the network policy agent', () => {
    const broken: Rendering = {
      ...rendering,
      stacks: rendering.stacks.map((s) => {
        if (s.name !== 'stage-green') return s;
        const json = clone(s.json) as Record<string, any>;
        delete json.resource.aws_eks_addon['addon-vpc-cni'].configuration_values;
        return { ...s, json };
      }),
    };
    const findings = check(broken);
    expect(findings).toEqual([
      {
        file: 'infra/stage-green.tf.json',
        // An exception would be written in the add-on's "//" object, where cdktf keeps its metadata.
        subject: {},
        message:
          'aws_eks_addon.addon-vpc-cni: configuration_values must set enableNetworkPolicy "true", got [null]: without the network policy agent every NetworkPolicy is ignored',
      },
    ]);
  });
});

describe('label selectors', () => {
  it('match labels and every expression operator as Kubernetes does', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'api' } }, labels)).toBe(false);
    const expression = (operator: string, values?: string[]) =>
      selectorMatches(
        { matchExpressions: [{ key: 'tier', operator, ...(values ? { values } : {}) }] },
        labels,
      );
    expect(expression('In', ['front', 'back'])).toBe(true);
    expect(expression('In', ['back'])).toBe(false);
    expect(expression('NotIn', ['back'])).toBe(true);
    expect(expression('NotIn', ['front'])).toBe(false);
    expect(expression('Exists')).toBe(true);
    expect(expression('DoesNotExist')).toBe(false);
    expect(selectorMatches(undefined, labels)).toBe(false);
  });
});
