import { beforeAll, describe, expect, it } from 'vitest';
import type { Rendering } from '../../cli/render';
import { autoscalerVersionRule, liveExternalDnsRule } from '../../cli/rules/cluster-versions';
import { irsaRule } from '../../cli/rules/irsa-trust';
import { allocatable, schedulingRule } from '../../cli/rules/scheduling';
import { ebsEncryptionRule, imdsv2Rule, secretsEncryptionRule } from '../../cli/rules/terraform-security';
import type { PlatformConfig } from '../../platform/schema';
import { fixtureConfig, renderConfigs } from '../helpers';
import { violationsOf } from './rule-violations';

let prod: PlatformConfig;
let base: Rendering;

beforeAll(() => {
  prod = fixtureConfig('prod');
  base = renderConfigs([prod]);
});

/** A deep copy of the example rendering, changed by `edit`. */
function mutated(edit: (r: { objects: any[]; stacks: any[] }) => void): Rendering {
  const copy = structuredClone({ objects: base.objects, stacks: base.stacks }) as {
    objects: any[];
    stacks: any[];
  };
  edit(copy);
  return { ...base, ...copy };
}

const find = (r: { objects: any[] }, cluster: string, kind: string, name: string) =>
  r.objects.find((o) => o.cluster === cluster && o.object.kind === kind && o.object.metadata.name === name);
const stack = (r: { stacks: any[] }, name: string) => r.stacks.find((s) => s.name === name).json;
/** A message with the replacement digests of managed node group names (`prod-blue-spot-a-1f2e3d4c`) left out. */
const undigested = (message: string | undefined) => message?.replace(/-[0-9a-f]{8}\b/g, '');

describe('rule irsa', () => {
  it('passes the example: every annotated role exists and trusts exactly its service account', () => {
    expect(violationsOf(irsaRule, { objects: base.objects, stacks: base.stacks, configs: [prod] })).toEqual(
      [],
    );
    expect(
      base.objects.filter(
        (o) =>
          o.object.kind === 'ServiceAccount' &&
          (o.object.metadata as any).annotations?.['eks.amazonaws.com/role-arn'],
      ).length,
    ).toBeGreaterThan(0);
  });

  it('fails a ServiceAccount annotated with a role its cluster stack does not create', () => {
    const r = mutated((x) => {
      find(x, 'prod-blue', 'ServiceAccount', 'external-dns').object.metadata.annotations[
        'eks.amazonaws.com/role-arn'
      ] = 'arn:aws:iam::111111111111:role/prod-blue-dns';
    });
    expect(
      violationsOf(irsaRule, { objects: r.objects, stacks: r.stacks, configs: [prod] }).map((v) => v.message),
    ).toEqual(['role arn:aws:iam::111111111111:role/prod-blue-dns is not created by the stack prod-blue']);
  });

  it('fails a role whose trust policy names another service account', () => {
    const r = mutated((x) => {
      const doc = stack(x, 'prod-green').data.aws_iam_policy_document['irsa-external-dns-trust'];
      doc.statement[0].condition[0].values = ['system:serviceaccount:kube-system:default'];
    });
    expect(
      violationsOf(irsaRule, { objects: r.objects, stacks: r.stacks, configs: [prod] }).map((v) => v.message),
    ).toEqual([
      'role prod-green-external-dns must trust exactly sub system:serviceaccount:kube-system:external-dns, trusts ["system:serviceaccount:kube-system:default"]',
    ]);
  });

  it('fails a role ARN of another account', () => {
    const r = mutated((x) => {
      find(x, 'prod-blue', 'ServiceAccount', 'cluster-autoscaler').object.metadata.annotations[
        'eks.amazonaws.com/role-arn'
      ] = 'arn:aws:iam::999999999999:role/prod-blue-cluster-autoscaler';
    });
    expect(
      violationsOf(irsaRule, { objects: r.objects, stacks: r.stacks, configs: [prod] })[0]?.message,
    ).toBe(
      "role arn:aws:iam::999999999999:role/prod-blue-cluster-autoscaler is not in the environment's account 111111111111",
    );
  });
});

describe('rule scheduling', () => {
  it('passes the example: every pod has a node group and fits it', () => {
    expect(violationsOf(schedulingRule, { objects: base.objects, stacks: base.stacks })).toEqual([]);
  });

  it('fails a pod whose required node affinity no node group satisfies, saying why for each group', () => {
    const r = mutated((x) => {
      find(
        x,
        'prod-blue',
        'Deployment',
        'web',
      ).object.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms =
        [{ matchExpressions: [{ key: 'lifecycle', operator: 'In', values: ['gpu'] }] }];
    });
    const [v] = violationsOf(schedulingRule, { objects: r.objects, stacks: r.stacks });
    expect(v?.file).toBe('prod-blue/apps-web/deployment.apps_web_web.yaml');
    expect(undigested(v?.message)).toMatch(
      /^no node group of prod-blue can run this pod: prod-blue-essential-a: required node affinity lifecycle In \[gpu\]/,
    );
  });

  it('fails a pod that targets a tainted group without tolerating its taint', () => {
    const r = mutated((x) => {
      const spec = find(x, 'prod-blue', 'Deployment', 'web').object.spec.template.spec;
      spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms = [
        { matchExpressions: [{ key: 'node-purpose', operator: 'In', values: ['stateful'] }] },
      ];
      spec.tolerations = [];
    });
    expect(
      undigested(violationsOf(schedulingRule, { objects: r.objects, stacks: r.stacks })[0]?.message),
    ).toContain('prod-blue-stateful: untolerated taint dedicated=stateful:NoSchedule');
  });

  it('fails a pod whose requests exceed the allocatable of every instance type it may use', () => {
    const r = mutated((x) => {
      find(
        x,
        'prod-green',
        'Deployment',
        'web',
      ).object.spec.template.spec.containers[0].resources.requests.memory = '15500Mi';
    });
    expect(
      violationsOf(schedulingRule, { objects: r.objects, stacks: r.stacks }).map((v) =>
        undigested(v.message),
      ),
    ).toEqual([
      'requests (cpu 250m, memory 15500Mi) fit no allocatable of the node groups it may use (prod-green-spot-a: m6i.xlarge, prod-green-spot-a: m5.xlarge, prod-green-spot-a: m5a.xlarge, prod-green-spot-b: m6i.xlarge, prod-green-spot-b: m5.xlarge, prod-green-spot-b: m5a.xlarge, prod-green-spot-d: m6i.xlarge, prod-green-spot-d: m5.xlarge, prod-green-spot-d: m5a.xlarge)',
    ]);
  });

  /** A node agent DaemonSet in kube-system of prod-blue, as `spec` says, added to a copy of the render. */
  function withDaemonSet(spec: (pod: any) => void): Rendering {
    return mutated((x) => {
      const pod = {
        containers: [
          {
            name: 'agent',
            image: 'registry.k8s.io/pause:3.10.1',
            resources: { requests: { cpu: '10m', memory: '32Mi' } },
          },
        ],
        tolerations: [{ operator: 'Exists' }],
      };
      spec(pod);
      x.objects.push({
        environment: 'prod',
        cluster: 'prod-blue',
        component: 'agent',
        path: 'prod-blue/agent/daemonset.apps_kube-system_agent.yaml',
        object: {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'agent', namespace: 'kube-system' },
          spec: {
            selector: { matchLabels: { app: 'agent' } },
            template: { metadata: { labels: { app: 'agent' } }, spec: pod },
          },
        },
      });
    });
  }

  it('passes a DaemonSet that targets node groups and fits every instance type of each', () => {
    const r = withDaemonSet(() => {});
    expect(violationsOf(schedulingRule, { objects: r.objects, stacks: r.stacks })).toEqual([]);
  });

  it('fails a DaemonSet whose selectors match no node group: it runs no pod at all', () => {
    const r = withDaemonSet((pod) => {
      pod.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge'] },
                ],
              },
            ],
          },
        },
      };
    });
    const [v, ...rest] = violationsOf(schedulingRule, { objects: r.objects, stacks: r.stacks });
    expect(rest).toEqual([]);
    expect(v?.file).toBe('prod-blue/agent/daemonset.apps_kube-system_agent.yaml');
    expect(undigested(v?.message)).toMatch(
      /^DaemonSet targets no node group of prod-blue, so it runs no pod: prod-blue-essential-a: required node affinity node\.kubernetes\.io\/instance-type In \[g5\.xlarge\]/,
    );
  });

  it('fails a DaemonSet without the toleration of the only groups it selects', () => {
    const r = withDaemonSet((pod) => {
      pod.tolerations = [];
      pod.nodeSelector = { 'node-purpose': 'stateful' };
    });
    expect(
      undigested(violationsOf(schedulingRule, { objects: r.objects, stacks: r.stacks })[0]?.message),
    ).toMatch(
      /^DaemonSet targets no node group.*prod-blue-stateful: untolerated taint dedicated=stateful:NoSchedule/,
    );
  });

  it('fails a DaemonSet whose pod fits some of the groups it targets but not all of them', () => {
    // 7600Mi fits spot (m6i.xlarge, m5.xlarge, m5a.xlarge: 16 GiB) and stateful (r6i.large,
    // 16 GiB), not essential: m6i.large offers 8192 - (255 + 11 * 29 + 100) = 7518 MiB.
    const r = withDaemonSet((pod) => {
      pod.containers[0].resources.requests.memory = '7600Mi';
    });
    const messages = violationsOf(schedulingRule, { objects: r.objects, stacks: r.stacks }).map((v) =>
      undigested(v.message),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /^requests \(cpu 10m, memory 7600Mi\) do not fit the allocatable of prod-blue-essential-a: m6i\.large, .*: the DaemonSet runs a pod on every node of the groups it targets, and it stays Pending on those$/,
    );
    expect(messages[0]).not.toContain('m6i.xlarge');
  });

  it('computes allocatable as capacity minus the EKS AMI kube-reserved and eviction threshold', () => {
    // m6i.large: 2 vCPU, 8 GiB, 29 pods -> CPU 2000 - 70m; memory 8192 - (255 + 11*29 + 100) MiB.
    expect(allocatable('m6i.large')).toEqual({ cpuMillis: 1930, memoryBytes: (8192 - 674) * 2 ** 20 });
    expect(allocatable('x9.huge')).toBeUndefined();
  });
});

describe('rules autoscaler-version and live-external-dns', () => {
  it('passes the example', () => {
    expect(violationsOf(autoscalerVersionRule, { objects: base.objects, stacks: base.stacks })).toEqual([]);
    expect(violationsOf(liveExternalDnsRule, { objects: base.objects, configs: [prod] })).toEqual([]);
  });

  it('fails a cluster-autoscaler whose minor differs from its cluster', () => {
    const r = mutated((x) => {
      find(
        x,
        'prod-green',
        'Deployment',
        'cluster-autoscaler',
      ).object.spec.template.spec.containers[0].image =
        'registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.5';
    });
    expect(
      violationsOf(autoscalerVersionRule, { objects: r.objects, stacks: r.stacks }).map((v) => v.message),
    ).toEqual([
      'image registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.5 is 1.34 but cluster prod-green runs Kubernetes 1.35: the minors must be equal',
    ]);
  });

  it('fails live external-dns replicas on a cluster that is not live, and none on the live one', () => {
    const r = mutated((x) => {
      find(x, 'prod-green', 'Deployment', 'live-external-dns-public').object.spec.replicas = 1;
      find(x, 'prod-blue', 'Deployment', 'live-external-dns-private').object.spec.replicas = 0;
    });
    expect(
      violationsOf(liveExternalDnsRule, { objects: r.objects, configs: [prod] }).map((v) => v.message),
    ).toEqual([
      'prod-blue is live but live-external-dns-private has 0 replicas',
      'live-external-dns-public runs 1 replica(s) on prod-green, but the live cluster is prod-blue',
    ]);
  });
});

describe('rules secrets-encryption, ebs-encryption and imdsv2', () => {
  it('passes the example', () => {
    expect(
      violationsOf([secretsEncryptionRule, ebsEncryptionRule, imdsv2Rule], { stacks: base.stacks }),
    ).toEqual([]);
  });

  it('fails a cluster without secrets encryption, an unencrypted volume and IMDSv1', () => {
    const r = mutated((x) => {
      const blue = stack(x, 'prod-blue');
      delete blue.resource.aws_eks_cluster.cluster.encryption_config;
      blue.resource.aws_launch_template.spot.block_device_mappings[0].ebs.encrypted = 'false';
      blue.resource.aws_launch_template.essential.metadata_options.http_tokens = 'optional';
      delete blue.resource.aws_eks_node_group.stateful.launch_template;
    });
    expect(
      violationsOf([secretsEncryptionRule, ebsEncryptionRule, imdsv2Rule], { stacks: r.stacks }).map(
        (v) => `${v.rule}: ${v.message}`,
      ),
    ).toEqual([
      'secrets-encryption: aws_eks_cluster.cluster has no encryption_config for secrets with a KMS key',
      'ebs-encryption: aws_launch_template.spot: volume /dev/xvda is not encrypted',
      'imdsv2: aws_launch_template.essential: metadata_options must set http_tokens "required" and http_put_response_hop_limit 1, got "optional" and 1',
      'imdsv2: aws_eks_node_group.stateful does not launch from a launch template of its stack (default: IMDSv1 allowed, hop limit 2)',
    ]);
  });
});
