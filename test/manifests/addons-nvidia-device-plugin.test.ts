/**
 * The NVIDIA device plugin add-on (issue 15, item 2): rendered on clusters with an NVIDIA GPU node
 * group only, placed on and tolerating those groups, and pinned to what was taken from upstream
 * (https://github.com/NVIDIA/k8s-device-plugin/blob/v0.20.0/deployments/static/nvidia-device-plugin.yml).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { exceptionKey } from '../../cli/rules/rule';
import { RUN_AS_ROOT_REASON } from '../../manifests/charts/nvidia-device-plugin-chart';
import { AddonWorkload, type AddonWorkloadProps } from '../../manifests/constructs/addon-workload';
import { ADDONS, addonRuns } from '../../platform/addons';
import { NVIDIA_DEVICE_PLUGIN_IMAGE } from '../../platform/images';
import { parseConfig } from '../../platform/load';
import { findObject, fixtureConfig, objectsOf, ROOT, renderConfigs } from '../helpers';

const lab = parseConfig(
  readFileSync(join(ROOT, 'test', 'fixtures', 'instance-types', 'lab.yaml'), 'utf8'),
  'test/fixtures/instance-types/lab.yaml',
  'lab',
);
/** prod with one GPU group on blue only, tainted twice: the upstream key and a group of its own. */
const prod = fixtureConfig('prod', (raw) => {
  raw.clusters[0].nodeGroups.push({
    name: 'gpu',
    instanceTypes: ['g6.xlarge'],
    minSize: 0,
    maxSize: 2,
    labels: { accelerator: 'nvidia-l4' },
    taints: [
      { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
      { key: 'dedicated', value: 'gpu', effect: 'NoExecute' },
    ],
  });
});
const rendering = renderConfigs([lab, prod]);
const daemonSet = (cluster: string) =>
  findObject(rendering, cluster, 'DaemonSet', 'nvidia-device-plugin', 'kube-system');

describe('NVIDIA device plugin add-on', () => {
  it('is rendered, with its Application, only on clusters that have an NVIDIA GPU node group', () => {
    expect(addonRuns(prod, prod.clusters[0]!, 'nvidiaDevicePlugin')).toBe(true);
    expect(addonRuns(prod, prod.clusters[1]!, 'nvidiaDevicePlugin')).toBe(false);
    for (const [cluster, rendered] of [
      ['lab-blue', true],
      ['prod-blue', true],
      ['prod-green', false],
    ] as const) {
      const component = objectsOf(rendering, cluster, 'nvidia-device-plugin').map((o) => o.object.kind);
      expect(component, cluster).toEqual(rendered ? ['DaemonSet'] : []);
      const application = objectsOf(rendering, cluster, 'argocd').filter(
        (o) =>
          o.object.kind === 'Application' &&
          (o.object as { metadata?: { name?: string } }).metadata?.name === 'nvidia-device-plugin',
      );
      expect(application, cluster).toHaveLength(rendered ? 1 : 0);
    }
    // Switched off, nothing even where GPU groups exist.
    const off = { ...prod, addons: { ...prod.addons, nvidiaDevicePlugin: { enabled: false } } };
    expect(addonRuns(off, prod.clusters[0]!, 'nvidiaDevicePlugin')).toBe(false);
    expect(ADDONS.nvidiaDevicePlugin.switch.key).toBe('nvidiaDevicePlugin');
    expect(prod.addons.nvidiaDevicePlugin).toEqual({ enabled: true });
  });

  it('is placed on the instance types of the NVIDIA groups only, and tolerates their taints', () => {
    const labPod = daemonSet('lab-blue').spec.template.spec;
    // g5, g6, p5 (x86_64) and g5g (Graviton): not the Inferentia group, nor the CPU groups.
    expect(labPod.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                {
                  key: 'node.kubernetes.io/instance-type',
                  operator: 'In',
                  values: ['g5.xlarge', 'g6.xlarge', 'p5.48xlarge', 'g5g.xlarge'],
                },
              ],
            },
          ],
        },
      },
    });
    // The lab groups carry upstream's taint only.
    expect(labPod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const prodPod = daemonSet('prod-blue').spec.template.spec;
    expect(prodPod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge'] },
          ],
        },
      ],
    });
    expect(prodPod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' },
    ]);
  });

  it('pins what was taken from the upstream static manifest at v0.20.0', () => {
    const ds = daemonSet('lab-blue');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
    const pod = ds.spec.template.spec;
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.containers).toHaveLength(1);
    const [container] = pod.containers;
    expect(container.name).toBe('nvidia-device-plugin-ctr');
    expect(container.image).toBe('nvcr.io/nvidia/k8s-device-plugin:v0.20.0');
    // The image's entrypoint, no arguments, no environment (upstream: `env: []`).
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
    expect(container.env).toBeUndefined();
    expect(container.volumeMounts).toEqual([
      { name: 'kubelet-device-plugins-dir', mountPath: '/var/lib/kubelet/device-plugins' },
    ]);
    expect(pod.volumes).toEqual([
      {
        name: 'kubelet-device-plugins-dir',
        hostPath: { path: '/var/lib/kubelet/device-plugins', type: 'Directory' },
      },
    ]);
    // Upstream's container security, plus the root filesystem stated (upstream leaves it writable).
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: false,
    });
    // Deviations: no token (it calls no Kubernetes API), RuntimeDefault seccomp, requests and a limit.
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBeUndefined();
    expect(pod.securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({
      requests: { cpu: '10m', memory: '64Mi' },
      limits: { memory: '128Mi' },
    });
  });

  it('records on its pod template why it runs as root, which check reports as an exception', () => {
    const template = daemonSet('lab-blue').spec.template;
    expect(template.metadata.annotations[exceptionKey('run-as-non-root')]).toBe(RUN_AS_ROOT_REASON);
    expect(RUN_AS_ROOT_REASON).toMatch(/\/var\/lib\/kubelet\/device-plugins/);
    const findings = runRules(ALL_RULES, { rendering, configs: [lab, prod] }).filter((v) =>
      v.file.includes('/nvidia-device-plugin/'),
    );
    // Every other rule passes (scheduling included: it lands on the GPU groups and fits them).
    expect(findings.map((v) => [v.rule, v.exception])).toEqual([
      ['run-as-non-root', RUN_AS_ROOT_REASON],
      ['run-as-non-root', RUN_AS_ROOT_REASON],
    ]);
  });

  it('runs in kube-system, which no rendered Namespace subjects to Pod Security enforcement', () => {
    expect(daemonSet('prod-blue').metadata.namespace).toBe('kube-system');
    const kubeSystem = rendering.objects.filter(
      (o) =>
        o.object.kind === 'Namespace' &&
        (o.object as { metadata: { name: string } }).metadata.name === 'kube-system',
    );
    expect(kubeSystem).toEqual([]);
  });

  it('rejects the root escape hatch on a Deployment, without a reason, or with a non-root uid', () => {
    const workload = (props: Partial<AddonWorkloadProps>) => () =>
      new AddonWorkload(new Chart(Testing.app(), 'c'), 'w', {
        controller: { kind: 'DaemonSet' },
        name: 'agent',
        namespace: 'kube-system',
        labels: { 'app.kubernetes.io/name': 'agent' },
        containers: [{ name: 'agent', image: NVIDIA_DEVICE_PLUGIN_IMAGE }],
        hostPrivileges: { reason: 'writes a root-owned host directory', runAsRoot: true },
        ...props,
      });
    expect(workload({})).not.toThrow();
    expect(workload({ controller: { kind: 'Deployment' } })).toThrow(
      'add-on workload agent: only a DaemonSet (a node agent) may take hostPrivileges',
    );
    expect(workload({ hostPrivileges: { reason: ' ', runAsRoot: true } })).toThrow(
      'add-on workload agent: hostPrivileges needs its reason',
    );
    expect(workload({ uid: 1000 })).toThrow(
      'add-on workload agent: uid and hostPrivileges.runAsRoot exclude each other',
    );
  });
});
