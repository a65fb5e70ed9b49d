/**
 * Rule `k8s-schema`: every rendered object validates offline against the OpenAPI schema of its
 * kind (kubernetes-models, generated from the Kubernetes OpenAPI). A kind without a known schema
 * is a violation too: nothing reaches a cluster unchecked.
 */
import { apiGroup } from '../dist-path';
import type { RenderedObject } from '../render';
import type { Violation } from './violation';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

const models = new Map<string, ModelClass | undefined>();

function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    const group = apiGroup(apiVersion);
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    const modulePath =
      group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
    try {
      models.set(key, (require(modulePath) as Record<string, ModelClass>)[kind]);
    } catch {
      models.set(key, undefined);
    }
  }
  return models.get(key);
}

export function kubernetesSchemaViolations(objects: readonly RenderedObject[]): Violation[] {
  const violations: Violation[] = [];
  for (const { object, path } of objects) {
    const { apiVersion, kind } = object as { apiVersion: string; kind: string };
    const Model = modelOf(apiVersion, kind);
    if (Model === undefined) {
      violations.push({
        rule: 'k8s-schema',
        file: path,
        message: `no schema known for ${apiVersion} ${kind}`,
      });
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      violations.push({ rule: 'k8s-schema', file: path, message: (error as Error).message });
    }
  }
  return violations;
}
