/**
 * Every rule, one case each (the table does not compile without a case for every rule id): a real
 * render of the prod fixture, broken by the case, fails the rule; the exception key of that rule
 * with a reason, written where the case says (a Kubernetes object's or pod template's annotations,
 * a Terraform resource's `"//"` object), turns every finding into an exception; an empty or blank
 * reason, or the key of another rule, does not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rendering } from '../../cli/render';
import { ALL_RULES, type RuleId, runRules } from '../../cli/rules/all-rules';
import { exceptionKey } from '../../cli/rules/rule';
import { IRSA_ROLE_ANNOTATION, SAFE_TO_EVICT_ANNOTATION } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import { findObject, fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';

type Json = Record<string, any>;
/** Where an exception is written: annotations, or a Terraform resource's `"//"` object. */
type Carrier = Record<string, string>;

interface Case {
  /** Breaks a copy of the render so that the rule fails; returns where its exception goes. */
  readonly breaks: (r: Rendering) => Carrier;
}

/** The annotations of an object (or pod template) of the copy, created when missing. */
function annotations(o: Json): Carrier {
  o.metadata ??= {};
  o.metadata.annotations ??= {};
  return o.metadata.annotations;
}

/** A Terraform resource of the copy, and the `"//"` object cdktf wrote on it. */
function resource(r: Rendering, stack: string, type: string, name: string): Json {
  const block = resourcesOf(stackOf(r, stack), type)[name];
  if (block === undefined) throw new Error(`no ${type}.${name} in ${stack}`);
  return block;
}
function comments(block: Json): Carrier {
  expect(block['//']?.metadata, 'cdktf metadata in "//"').toBeDefined();
  return block['//'];
}

const container = (o: Json): Json => o.spec.template.spec.containers[0];

const CASES = {
  'k8s-schema': {
    breaks: (r) => {
      const hpa = findObject(r, 'prod-blue', 'HorizontalPodAutoscaler', 'web', 'web');
      hpa.spec.maxReplicas = 'ten';
      return annotations(hpa);
    },
  },
  'object-scope': {
    breaks: (r) => {
      const role = findObject(r, 'prod-blue', 'ClusterRole', 'debugmode');
      role.metadata.namespace = 'web';
      return annotations(role);
    },
  },
  'namespace-exists': {
    breaks: (r) => {
      const map = findObject(r, 'prod-blue', 'ConfigMap', 'overprovisioning-autoscaler');
      map.metadata.namespace = 'nowhere';
      return annotations(map);
    },
  },
  'image-pinned': {
    breaks: (r) => {
      const deployment = findObject(r, 'prod-blue', 'Deployment', 'overprovisioning');
      container(deployment).image = container(deployment).image.replace(/:[^:/]+$/, ':latest');
      // On the pod template: either place counts.
      return annotations(deployment.spec.template);
    },
  },
  'container-resources': {
    breaks: (r) => {
      const deployment = findObject(r, 'prod-blue', 'Deployment', 'ledger', 'payments');
      delete container(deployment).resources.limits.memory;
      return annotations(deployment);
    },
  },
  'run-as-non-root': {
    breaks: (r) => {
      const cron = findObject(r, 'prod-blue', 'CronJob', 'ledger-reconciliation', 'payments');
      const template = cron.spec.jobTemplate.spec.template;
      template.spec.containers[0].securityContext = { runAsUser: 0 };
      // On a CronJob's pod template, two levels down: it counts too.
      return annotations(template);
    },
  },
  'distinct-probes': {
    breaks: (r) => {
      const web = findObject(r, 'prod-blue', 'Deployment', 'web', 'web');
      container(web).livenessProbe = structuredClone(container(web).readinessProbe);
      return annotations(web);
    },
  },
  irsa: {
    breaks: (r) => {
      const account = findObject(r, 'prod-blue', 'ServiceAccount', 'cluster-autoscaler', 'kube-system');
      const arn: string = account.metadata.annotations[IRSA_ROLE_ANNOTATION];
      account.metadata.annotations[IRSA_ROLE_ANNOTATION] = arn.replace(/[^/]+$/, 'no-such-role');
      return annotations(account);
    },
  },
  'irsa-role-users': {
    breaks: (r) => {
      // The role stays; nothing uses it any more.
      const account = findObject(r, 'prod-blue', 'ServiceAccount', 'external-dns', 'kube-system');
      delete account.metadata.annotations[IRSA_ROLE_ANNOTATION];
      return comments(resource(r, 'prod-blue', 'aws_iam_role', 'irsa-external-dns'));
    },
  },
  scheduling: {
    breaks: (r) => {
      const web = findObject(r, 'prod-blue', 'Deployment', 'web', 'web');
      web.spec.template.spec.nodeSelector = { 'example.com/pool': 'none' };
      return annotations(web);
    },
  },
  'addon-availability': {
    breaks: (r) => {
      const autoscaler = findObject(r, 'prod-blue', 'Deployment', 'cluster-autoscaler', 'kube-system');
      autoscaler.spec.template.metadata.annotations[SAFE_TO_EVICT_ANNOTATION] = 'maybe';
      return annotations(autoscaler);
    },
  },
  'autoscaler-version': {
    breaks: (r) => {
      const autoscaler = findObject(r, 'prod-blue', 'Deployment', 'cluster-autoscaler', 'kube-system');
      const c = container(autoscaler);
      expect(c.image).toMatch(/cluster-autoscaler:v\d+\.\d+\./);
      c.image = c.image.replace(/cluster-autoscaler:v\d+\.\d+\./, 'cluster-autoscaler:v1.20.');
      return annotations(autoscaler);
    },
  },
  'live-external-dns': {
    breaks: (r) => {
      // prod-green is not live: its live instance must run no replica.
      const dns = findObject(r, 'prod-green', 'Deployment', 'live-external-dns-private', 'kube-system');
      dns.spec.replicas = 1;
      return annotations(dns);
    },
  },
  'terraform-references': {
    breaks: (r) => {
      const group = resource(r, 'prod-blue', 'aws_eks_node_group', 'spot-a');
      group.labels = { ...group.labels, broken: `\${aws_vpc.elsewhere.id}` };
      return comments(group);
    },
  },
  'iam-wildcards': {
    breaks: (r) => {
      const policy = resource(r, 'prod-blue', 'aws_iam_role_policy', 'node-role-ecr-pull');
      policy.policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }],
      });
      return comments(policy);
    },
  },
  'secrets-encryption': {
    breaks: (r) => {
      const cluster = resource(r, 'prod-blue', 'aws_eks_cluster', 'cluster');
      delete cluster.encryption_config;
      return comments(cluster);
    },
  },
  'ebs-encryption': {
    breaks: (r) => {
      const template = resource(r, 'prod-blue', 'aws_launch_template', 'spot');
      template.block_device_mappings[0].ebs.encrypted = 'false';
      return comments(template);
    },
  },
  imdsv2: {
    breaks: (r) => {
      const template = resource(r, 'prod-blue', 'aws_launch_template', 'essential');
      template.metadata_options.http_tokens = 'optional';
      return comments(template);
    },
  },
  'release-version': {
    breaks: (r) => {
      const group = resource(r, 'prod-blue', 'aws_eks_node_group', 'stateful');
      group.release_version = '1.33.5-20251112';
      return comments(group);
    },
  },
  'standard-support': {
    breaks: (r) => {
      const cluster = resource(r, 'prod-green', 'aws_eks_cluster', 'cluster');
      delete cluster.upgrade_policy;
      return comments(cluster);
    },
  },
  'people-cluster-rights': {
    breaks: (r) => {
      const binding = findObject(r, 'prod-blue', 'ClusterRoleBinding', 'readonly-role-view');
      binding.roleRef.name = 'edit';
      return annotations(binding);
    },
  },
  'network-policy-coverage': {
    breaks: (r) => {
      const objects = r.objects as Rendering['objects'][number][];
      for (let i = objects.length - 1; i >= 0; i--) {
        const o = objects[i] as Rendering['objects'][number];
        const metadata = (o.object as Json).metadata;
        if (o.cluster === 'prod-blue' && o.object.kind === 'NetworkPolicy' && metadata.namespace === 'web')
          objects.splice(i, 1);
      }
      return annotations(findObject(r, 'prod-blue', 'Deployment', 'web', 'web'));
    },
  },
  'allowed-account': {
    breaks: (r) => {
      const [provider] = (stackOf(r, 'prod-blue').json as Json).provider.aws as Json[];
      if (provider === undefined) throw new Error('no aws provider in prod-blue');
      delete provider.allowed_account_ids;
      provider['//'] ??= {};
      return provider['//'];
    },
  },
  'kms-key-policy': {
    breaks: (r) => {
      const key = resource(r, 'prod-blue', 'aws_kms_key', 'secrets-key');
      delete key.policy;
      return comments(key);
    },
  },
  'log-group-encryption': {
    breaks: (r) => {
      const group = resource(r, 'prod-blue', 'aws_cloudwatch_log_group', 'control-plane-logs');
      delete group.kms_key_id;
      return comments(group);
    },
  },
} satisfies Record<RuleId, Case>;

let prod: PlatformConfig;
let base: Rendering;

beforeAll(() => {
  prod = fixtureConfig('prod');
  base = renderConfigs([prod]);
});

/** A deep copy of the prod render, to break. */
function copyOfBase(): Rendering {
  return { ...structuredClone({ objects: base.objects, stacks: base.stacks }), files: [] };
}

describe('the rule list', () => {
  it('holds each rule id once, kebab-case, with a summary', () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of ALL_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.summary.length, rule.id).toBeGreaterThan(40);
    }
  });

  it('passes the unbroken prod fixture with no finding and no exception', () => {
    expect(runRules(ALL_RULES, { rendering: base, configs: [prod] })).toEqual([]);
  });
});

describe.each(ALL_RULES.map((rule) => [rule.id, rule] as const))('rule %s', (id, rule) => {
  it('fails on a broken render, and an exception with a reason on what it concerns turns each finding into an exception', () => {
    const rendering = copyOfBase();
    const carrier = CASES[id].breaks(rendering);
    const run = () => runRules([rule], { rendering, configs: [prod] });

    const broken = run();
    expect(broken.length, 'findings').toBeGreaterThan(0);
    expect(broken.every((v) => v.rule === id && v.exception === undefined)).toBe(true);

    const other = ALL_RULES.find((r) => r.id !== id)?.id ?? '';
    carrier[exceptionKey(other)] = 'an exception to another rule';
    expect(run()).toEqual(broken);

    carrier[exceptionKey(id)] = 'reviewed: accepted until the upstream fix';
    expect(run()).toEqual(
      broken.map((v) => ({ ...v, exception: 'reviewed: accepted until the upstream fix' })),
    );
  });

  it('fails when the exception has an empty or blank reason, and says the reason is missing', () => {
    const rendering = copyOfBase();
    const carrier = CASES[id].breaks(rendering);
    for (const reason of ['', '   ']) {
      carrier[exceptionKey(id)] = reason;
      const violations = runRules([rule], { rendering, configs: [prod] });
      expect(violations.length).toBeGreaterThan(0);
      for (const v of violations) {
        expect(v.exception).toBeUndefined();
        expect(v.message).toContain(`the exception ${exceptionKey(id)} has no reason, so it does not count`);
      }
    }
  });
});
