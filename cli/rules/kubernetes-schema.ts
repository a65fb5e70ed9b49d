/**
 * Rule `k8s-schema`: every rendered object validates offline against the OpenAPI schema of its
 * kind (kubernetes-models, generated from the Kubernetes OpenAPI), and Argo CD's objects against
 * the schemas of Argo CD's CRDs (@kubernetes-models/argo-cd), and External Secrets' objects against
 * the part of its pinned CRDs the platform writes (cli/rules/crd-schemas.ts). A kind without a
 * known schema is a violation too: nothing reaches a cluster unchecked.
 */
import { apiGroup } from '../dist-path';
import { CRD_SCHEMAS, type CrdSchema, crdSchemaProblems } from './crd-schemas';
import { type Finding, objectAnnotations, type Rule } from './rule';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

const models = new Map<string, ModelClass | undefined>();

/**
 * Models of API groups that Kubernetes does not serve, by group: the package generated from the
 * CRDs of the software that serves them. @kubernetes-models/argo-cd 2.7.2 holds the schemas of
 * Argo CD 2.14's CRDs (the newest that fits kubernetes-models 4; 4.x needs kubernetes-models 5 and
 * Node 22). They hold every field the platform writes (project, source, destination, syncPolicy
 * with sync options and retry, project whitelists), all of which Argo CD 3.5 still serves.
 */
const CRD_MODEL_PACKAGES: Readonly<Record<string, string>> = {
  'argoproj.io': '@kubernetes-models/argo-cd',
};

/**
 * A model validating against a schema of cli/rules/crd-schemas.ts, for the custom resources whose
 * CRDs no npm package carries (External Secrets'). `validate` reads `this`, as the generated
 * models' does, so `validateObject` may call it on the plain object.
 */
function crdModel(schema: CrdSchema): ModelClass {
  return class {
    constructor(data: unknown) {
      Object.assign(this, data);
    }
    validate(): void {
      const problems = crdSchemaProblems(schema, { ...this });
      if (problems.length > 0) throw new Error(problems.join(', '));
    }
  };
}

function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  const crdSchema = CRD_SCHEMAS[key];
  if (crdSchema !== undefined && !models.has(key)) models.set(key, crdModel(crdSchema));
  if (!models.has(key)) {
    const group = apiGroup(apiVersion);
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    const crdPackage = CRD_MODEL_PACKAGES[group];
    const modulePath =
      crdPackage !== undefined
        ? `${crdPackage}/${group}/${version}/${kind}`
        : group === ''
          ? `kubernetes-models/${version}/${kind}`
          : `kubernetes-models/${group}/${version}/${kind}`;
    try {
      models.set(key, (require(modulePath) as Record<string, ModelClass>)[kind]);
    } catch {
      models.set(key, undefined);
    }
  }
  return models.get(key);
}

/**
 * Validates `object` as `new Model(object).validate()` does. The constructor copies the object
 * without its undefined properties (@kubernetes-models/base `setDefinedProps`) and the validator
 * (compiled by ajv, without coercion or defaults) only reads it: an object that has no undefined
 * property and only plain objects is validated as it is, without the copy, which is about a
 * third of this rule's time on a large platform.
 */
function validateObject(Model: ModelClass, object: Record<string, unknown>): void {
  if (isPlainData(object)) Model.prototype.validate.call(object);
  else new Model(object).validate();
}

/** Plain objects, arrays and primitives, with no object property set to undefined. */
function isPlainData(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(isPlainData);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || !isPlainData(item)) return false;
  }
  return true;
}

export const kubernetesSchemaRule: Rule<'k8s-schema'> = {
  id: 'k8s-schema',
  summary:
    'Every Kubernetes object validates offline against the OpenAPI schema of its kind (Argo CD objects against the schemas of its CRDs, External Secrets objects against the fields of its pinned CRDs the platform writes), and a kind without a known schema fails: the API server would refuse an invalid object at sync time, after the change is merged.',
  check: ({ rendering }) => {
    const findings: Finding[] = [];
    for (const { object, path } of rendering.objects) {
      const { apiVersion, kind } = object as { apiVersion: string; kind: string };
      const report = (message: string) =>
        findings.push({ file: path, message, subject: objectAnnotations(object) });
      const Model = modelOf(apiVersion, kind);
      if (Model === undefined) {
        report(`no schema known for ${apiVersion} ${kind}`);
        continue;
      }
      try {
        validateObject(Model, object);
      } catch (error) {
        report((error as Error).message);
      }
    }
    return findings;
  },
};
