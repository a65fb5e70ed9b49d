/** The pod specs inside rendered workload objects, wherever each kind keeps its template. */

import type { RenderedObject } from '../render';
import type { Json } from './terraform-json';

export interface PodTemplate {
  readonly source: RenderedObject;
  /** Where the pod spec sits in the object, e.g. `spec.template.spec`. */
  readonly at: string;
  readonly spec: PodSpec;
  readonly replicas: number;
}

export interface Container {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[];
      };
    };
  };
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
}

/** The templates of each rendering's objects: several rules read them, each over every object. */
const templatesOf = new WeakMap<readonly RenderedObject[], readonly PodTemplate[]>();

export function podTemplates(objects: readonly RenderedObject[]): readonly PodTemplate[] {
  let templates = templatesOf.get(objects);
  if (templates === undefined) {
    templates = findPodTemplates(objects);
    templatesOf.set(objects, templates);
  }
  return templates;
}

function findPodTemplates(objects: readonly RenderedObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const source of objects) {
    const o = source.object as Json;
    let template: Json | undefined;
    let at = '';
    switch (o.kind) {
      case 'Deployment':
      case 'StatefulSet':
      case 'DaemonSet':
      case 'ReplicaSet':
      case 'Job':
        template = o.spec?.template;
        at = 'spec.template.spec';
        break;
      case 'CronJob':
        template = o.spec?.jobTemplate?.spec?.template;
        at = 'spec.jobTemplate.spec.template.spec';
        break;
      case 'Pod':
        template = { metadata: o.metadata, spec: o.spec };
        at = 'spec';
        break;
      default:
        continue;
    }
    if (template?.spec === undefined) continue;
    templates.push({
      source,
      at,
      spec: template.spec as PodSpec,
      replicas: typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1,
    });
  }
  return templates;
}

export function allContainers(spec: PodSpec): { container: Container; field: string }[] {
  return [
    ...(spec.initContainers ?? []).map((container, i) => ({ container, field: `initContainers[${i}]` })),
    ...(spec.containers ?? []).map((container, i) => ({ container, field: `containers[${i}]` })),
  ];
}
