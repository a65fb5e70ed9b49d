import { describe, expect, it } from 'vitest';
import { runAsNonRootRule } from '../../cli/rules/container-policy';
import { exceptionKey } from '../../cli/rules/rule';
import { FLUENT_BIT_CHART_SOURCE } from '../../manifests/charts/fluent-bit-chart';
import { findObject, fixtureConfig, objectsOf } from '../helpers';
import { render } from './addons-helpers';

const prod = fixtureConfig('prod', (raw) => {
  raw.addons = { ...raw.addons, fluentBit: { enabled: true } };
});
// The default: the fixture does not mention the add-on.
const off = fixtureConfig('stage', (raw) => {
  expect(raw.addons?.fluentBit).toBeUndefined();
});
const rendering = render(prod, off);
const daemonSet = (cluster = 'prod-blue') =>
  findObject(rendering, cluster, 'DaemonSet', 'fluent-bit', 'kube-system');

describe('Fluent Bit add-on (manifests)', () => {
  it('is off unless the environment turns it on, and then renders nothing of it', () => {
    expect(off.addons.fluentBit).toEqual({ enabled: false, retentionDays: 30 });
    expect(prod.addons.fluentBit).toEqual({ enabled: true, retentionDays: 30 });
    expect(objectsOf(rendering, 'stage-green', 'fluent-bit')).toEqual([]);
    expect(
      rendering.objects.filter((o) => o.cluster === 'stage-green' && o.path.includes('fluent-bit')),
    ).toEqual([]);
    expect(
      objectsOf(rendering, 'prod-blue', 'fluent-bit')
        .map((o) => o.object.kind)
        .sort(),
    ).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'ServiceAccount']);
  });

  it(`pins what it takes from the upstream chart (${FLUENT_BIT_CHART_SOURCE}): image, command, port, probes`, () => {
    expect(FLUENT_BIT_CHART_SOURCE).toContain('5b81bf7a5a5d9f7c3513810efdef47cdb4e28239/charts/fluent-bit');
    const [container, ...others] = daemonSet().spec.template.spec.containers;
    expect(others).toEqual([]);
    // appVersion 5.1.1 of chart 0.58.1, from values.yaml image.repository.
    expect(container.image).toBe('cr.fluentbit.io/fluent/fluent-bit:5.1.1');
    expect(container.command).toEqual(['/fluent-bit/bin/fluent-bit']);
    expect(container.args).toEqual([
      '--workdir=/fluent-bit/etc',
      '--config=/fluent-bit/etc/conf/fluent-bit.conf',
    ]);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 2020, protocol: 'TCP' }]);
    expect(container.livenessProbe).toEqual({ httpGet: { path: '/', port: 'http' } });
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/api/v2/health', port: 'http' } });
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { memory: '256Mi' },
    });
  });

  it('tails /var/log/containers into the kubernetes filter and the cloudwatch_logs output, never creating a group', () => {
    const conf = findObject(rendering, 'prod-blue', 'ConfigMap', 'fluent-bit', 'kube-system').data[
      'fluent-bit.conf'
    ] as string;
    const section = (name: string) => {
      const at = conf.indexOf(`[${name}]`);
      expect(at, name).toBeGreaterThanOrEqual(0);
      const end = conf.indexOf('\n\n', at);
      return conf
        .slice(at, end < 0 ? undefined : end)
        .split('\n')
        .slice(1)
        .map((line) => line.trim())
        .filter((line) => line !== '');
    };
    expect(section('SERVICE')).toEqual([
      'Daemon Off',
      'Flush 1',
      'Log_Level info',
      'Parsers_File /fluent-bit/etc/parsers.conf',
      'HTTP_Server On',
      'HTTP_Listen 0.0.0.0',
      'HTTP_Port 2020',
      'Health_Check On',
    ]);
    expect(section('INPUT')).toEqual([
      'Name tail',
      'Path /var/log/containers/*.log',
      'multiline.parser docker, cri',
      'Tag kube.*',
      'Mem_Buf_Limit 5MB',
      'Skip_Long_Lines On',
      'DB /var/fluent-bit/state/tail-containers.db',
    ]);
    expect(section('FILTER')).toEqual([
      'Name kubernetes',
      'Match kube.*',
      'Merge_Log On',
      'Keep_Log Off',
      'K8S-Logging.Parser On',
      'K8S-Logging.Exclude On',
    ]);
    expect(section('OUTPUT')).toEqual([
      'Name cloudwatch_logs',
      'Match kube.*',
      'region ca-central-1',
      'log_group_name /aws/eks/prod-blue/containers',
      'log_stream_prefix from-fluent-bit-',
      'auto_create_group Off',
    ]);
    expect(conf).not.toMatch(/Name es\b|CreateLogGroup|auto_create_group On/);
    const green = findObject(rendering, 'prod-green', 'ConfigMap', 'fluent-bit', 'kube-system');
    expect(green.data['fluent-bit.conf']).toContain('log_group_name /aws/eks/prod-green/containers');
  });

  it('reads the host logs read-only, keeps its offsets in a writable host directory, and runs on every node', () => {
    const spec = daemonSet().spec.template.spec;
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: 'fluent-bit-config', mountPath: '/fluent-bit/etc/conf' },
      { name: 'varlogcontainers', mountPath: '/var/log/containers', readOnly: true },
      { name: 'varlogpods', mountPath: '/var/log/pods', readOnly: true },
      { name: 'state', mountPath: '/var/fluent-bit/state' },
    ]);
    expect(spec.volumes).toEqual([
      { name: 'fluent-bit-config', configMap: { name: 'fluent-bit' } },
      { name: 'varlogcontainers', hostPath: { path: '/var/log/containers', type: 'Directory' } },
      { name: 'varlogpods', hostPath: { path: '/var/log/pods', type: 'Directory' } },
      { name: 'state', hostPath: { path: '/var/fluent-bit/state', type: 'DirectoryOrCreate' } },
    ]);
    expect(spec.tolerations).toEqual([
      { effect: 'NoExecute', operator: 'Exists' },
      { effect: 'NoSchedule', operator: 'Exists' },
    ]);
    expect(spec.priorityClassName).toBe('system-node-critical');
    expect(spec.hostNetwork).toBeUndefined();
    expect(daemonSet().spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
  });

  it('runs as root with every capability dropped, no escalation and a read-only root filesystem', () => {
    const spec = daemonSet().spec.template.spec;
    expect(spec.securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('writes the run-as-non-root exception, and only it, on the pod template with its reason', () => {
    const annotations = daemonSet().spec.template.metadata.annotations as Record<string, string>;
    const exceptions = Object.keys(annotations).filter((key) => key.startsWith('policy.eks-platform.io/'));
    expect(exceptions).toEqual([exceptionKey('run-as-non-root')]);
    expect(annotations[exceptionKey('run-as-non-root')]).toMatch(/root.*0640.*\/var\/log\/pods/);
    const findings = runAsNonRootRule
      .check({ rendering, configs: [prod, off] })
      .filter((f) => f.file.includes('/fluent-bit/'));
    // One DaemonSet per prod cluster: blue and green.
    expect(findings.length).toBe(2);
    for (const finding of findings) expect(finding.subject?.[exceptionKey('run-as-non-root')]).toBeTruthy();
  });

  it('gives the kubernetes filter read access to pods and namespaces only, through its IRSA ServiceAccount', () => {
    const role = findObject(rendering, 'prod-blue', 'ClusterRole', 'fluent-bit');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = findObject(rendering, 'prod-blue', 'ClusterRoleBinding', 'fluent-bit');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'fluent-bit',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'fluent-bit', namespace: 'kube-system' },
    ]);
    const account = findObject(rendering, 'prod-blue', 'ServiceAccount', 'fluent-bit', 'kube-system');
    expect(account.metadata.annotations).toMatchObject({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/prod-blue-fluent-bit',
    });
    expect(daemonSet().spec.template.spec.serviceAccountName).toBe('fluent-bit');
  });
});
