/**
 * Rules `autoscaler-version` and `live-external-dns` (DESIGN §8): cluster-autoscaler's minor
 * equals the minor of the EKS cluster it runs on (read from the cluster stack), and the live
 * external-dns instances run only on the live cluster — and do run there, or nobody updates the
 * production records.
 */
import { clusterName, externalDnsInstances } from '../../platform/names';
import type { RenderedObject } from '../render';
import { type Finding, objectAnnotations, type Rule, type RuleInput } from './rule';
import { blocksOf, type Json } from './terraform-json';

function deployments(objects: readonly RenderedObject[], name: string): RenderedObject[] {
  return objects.filter(
    (o) => o.object.kind === 'Deployment' && (o.object.metadata as { name: string }).name === name,
  );
}

export const autoscalerVersionRule: Rule<'autoscaler-version'> = {
  id: 'autoscaler-version',
  summary:
    "The cluster-autoscaler image's minor equals the Kubernetes minor of the EKS cluster it runs on, read from the cluster stack: cluster-autoscaler publishes one minor per Kubernetes minor and is meant to run only on that one.",
  check: autoscalerVersionFindings,
};

function autoscalerVersionFindings({ rendering }: RuleInput): Finding[] {
  const { objects, stacks } = rendering;
  const findings: Finding[] = [];
  for (const o of deployments(objects, 'cluster-autoscaler')) {
    const containers = ((o.object as Json).spec?.template?.spec?.containers ?? []) as { image?: string }[];
    const image = containers.map((c) => c.image ?? '').find((i) => i.includes('cluster-autoscaler:'));
    const imageMinor = /cluster-autoscaler:v(\d+\.\d+)\./.exec(image ?? '')?.[1];
    const stack = stacks.find((s) => s.name === o.cluster);
    const clusterVersion = stack && blocksOf(stack, 'aws_eks_cluster')[0]?.[1].version;
    if (imageMinor === undefined || clusterVersion === undefined) {
      findings.push({
        file: o.path,
        message: `cannot compare: image ${image ?? '(none)'}, cluster ${o.cluster} version ${clusterVersion ?? '(no aws_eks_cluster)'}`,
        subject: objectAnnotations(o.object),
      });
    } else if (imageMinor !== String(clusterVersion)) {
      findings.push({
        file: o.path,
        message: `image ${image} is ${imageMinor} but cluster ${o.cluster} runs Kubernetes ${clusterVersion}: the minors must be equal`,
        subject: objectAnnotations(o.object),
      });
    }
  }
  return findings;
}

export const liveExternalDnsRule: Rule<'live-external-dns'> = {
  id: 'live-external-dns',
  summary:
    'The external-dns instances that own the production names run on the live cluster, with at least one replica, and on no other cluster: a second writer would point the names at the idle color, and none leaves them unmanaged.',
  check: liveExternalDnsFindings,
};

function liveExternalDnsFindings({ rendering, configs }: RuleInput): Finding[] {
  const findings: Finding[] = [];
  for (const config of configs) {
    if (!config.addons.externalDns.enabled) continue;
    for (const cluster of config.clusters) {
      const name = clusterName(config, cluster);
      const live = cluster.color === config.live;
      for (const instance of externalDnsInstances(config, cluster).filter((i) => i.live)) {
        for (const o of deployments(rendering.objects, instance.name).filter((d) => d.cluster === name)) {
          const replicas = (o.object as Json).spec?.replicas ?? 1;
          const subject = objectAnnotations(o.object);
          if (live && replicas < 1) {
            findings.push({
              file: o.path,
              message: `${name} is live but ${instance.name} has ${replicas} replicas`,
              subject,
            });
          }
          if (!live && replicas !== 0) {
            findings.push({
              file: o.path,
              message: `${instance.name} runs ${replicas} replica(s) on ${name}, but the live cluster is ${clusterName(config, { color: config.live })}`,
              subject,
            });
          }
        }
      }
    }
  }
  return findings;
}
