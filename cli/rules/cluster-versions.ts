/**
 * Rules `autoscaler-version` and `live-external-dns` (DESIGN §8): cluster-autoscaler's minor
 * equals the minor of the EKS cluster it runs on (read from the cluster stack), and the live
 * external-dns instances run only on the live cluster — and do run there, or nobody updates the
 * production records.
 */
import { clusterName, externalDnsInstances } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import type { RenderedObject, RenderedStack } from '../render';
import { blocksOf, type Json } from './terraform-json';
import type { Violation } from './violation';

function deployments(objects: readonly RenderedObject[], name: string): RenderedObject[] {
  return objects.filter(
    (o) => o.object.kind === 'Deployment' && (o.object.metadata as { name: string }).name === name,
  );
}

export function autoscalerVersionViolations(
  objects: readonly RenderedObject[],
  stacks: readonly RenderedStack[],
): Violation[] {
  const violations: Violation[] = [];
  for (const o of deployments(objects, 'cluster-autoscaler')) {
    const containers = ((o.object as Json).spec?.template?.spec?.containers ?? []) as { image?: string }[];
    const image = containers.map((c) => c.image ?? '').find((i) => i.includes('cluster-autoscaler:'));
    const imageMinor = /cluster-autoscaler:v(\d+\.\d+)\./.exec(image ?? '')?.[1];
    const stack = stacks.find((s) => s.name === o.cluster);
    const clusterVersion = stack && blocksOf(stack, 'aws_eks_cluster')[0]?.[1].version;
    if (imageMinor === undefined || clusterVersion === undefined) {
      violations.push({
        rule: 'autoscaler-version',
        file: o.path,
        message: `cannot compare: image ${image ?? '(none)'}, cluster ${o.cluster} version ${clusterVersion ?? '(no aws_eks_cluster)'}`,
      });
    } else if (imageMinor !== String(clusterVersion)) {
      violations.push({
        rule: 'autoscaler-version',
        file: o.path,
        message: `image ${image} is ${imageMinor} but cluster ${o.cluster} runs Kubernetes ${clusterVersion}: the minors must be equal`,
      });
    }
  }
  return violations;
}

export function liveExternalDnsViolations(
  objects: readonly RenderedObject[],
  configs: readonly PlatformConfig[],
): Violation[] {
  const violations: Violation[] = [];
  for (const config of configs) {
    if (!config.addons.externalDns.enabled) continue;
    for (const cluster of config.clusters) {
      const name = clusterName(config, cluster);
      const live = cluster.color === config.live;
      for (const instance of externalDnsInstances(config, cluster).filter((i) => i.live)) {
        for (const o of deployments(objects, instance.name).filter((d) => d.cluster === name)) {
          const replicas = (o.object as Json).spec?.replicas ?? 1;
          if (live && replicas < 1) {
            violations.push({
              rule: 'live-external-dns',
              file: o.path,
              message: `${name} is live but ${instance.name} has ${replicas} replicas`,
            });
          }
          if (!live && replicas !== 0) {
            violations.push({
              rule: 'live-external-dns',
              file: o.path,
              message: `${instance.name} runs ${replicas} replica(s) on ${name}, but the live cluster is ${clusterName(config, { color: config.live })}`,
            });
          }
        }
      }
    }
  }
  return violations;
}
