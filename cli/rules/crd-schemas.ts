/**
 * Offline schemas of the custom resources the platform renders whose CRDs no npm package carries:
 * External Secrets Operator's `ClusterSecretStore` and `ExternalSecret` (external-secrets.io/v1).
 * Each is the part of the pinned CRD's `openAPIV3Schema` (version v1) that covers the fields the
 * platform writes, copied with its types, required fields, enums, patterns and lengths from
 * external-secrets/external-secrets config/crds/bases/external-secrets.io_clustersecretstores.yaml
 * and external-secrets.io_externalsecrets.yaml at tag helm-chart-2.9.0 (commit cc5bfbc2), the CRDs
 * of chart 2.9.0 (platform/external-secrets.ts). The whole CRDs are 690 kB and 72 kB.
 *
 * The subset is closed: a field it does not list is a finding, so a field the platform starts
 * writing must be copied here from the CRD first (the API server would otherwise prune a
 * misspelled field silently, as it does for any field a structural schema lacks).
 */

/** The JSON Schema keywords a CRD's structural schema uses, as far as this subset needs them. */
export interface CrdSchema {
  readonly type: 'object' | 'array' | 'string' | 'boolean' | 'integer';
  readonly properties?: Readonly<Record<string, CrdSchema>>;
  readonly required?: readonly string[];
  /** A map's values (labels, annotations). */
  readonly additionalProperties?: CrdSchema;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly items?: CrdSchema;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** The problems of `value` against `schema`, each `<path> <what is wrong>`. */
export function crdSchemaProblems(schema: CrdSchema, value: unknown, path = 'data'): string[] {
  const problems: string[] = [];
  const typeOf = (v: unknown) =>
    Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v;
  if (typeOf(value) !== schema.type) return [`${path} must be ${schema.type}, got ${typeOf(value)}`];
  if (schema.type === 'string') {
    const text = value as string;
    if (schema.enum !== undefined && !schema.enum.includes(text)) {
      problems.push(`${path} must be one of ${schema.enum.join(', ')}, got ${JSON.stringify(text)}`);
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(text)) {
      problems.push(`${path} must match pattern ${schema.pattern}, got ${JSON.stringify(text)}`);
    }
    if (schema.minLength !== undefined && text.length < schema.minLength) {
      problems.push(`${path} must have at least ${schema.minLength} characters`);
    }
    if (schema.maxLength !== undefined && text.length > schema.maxLength) {
      problems.push(`${path} must have at most ${schema.maxLength} characters, got ${text.length}`);
    }
  }
  if (schema.type === 'array' && schema.items !== undefined) {
    const items = schema.items;
    (value as unknown[]).forEach((item, i) => {
      problems.push(...crdSchemaProblems(items, item, `${path}/${i}`));
    });
  }
  if (schema.type === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    for (const key of schema.required ?? []) {
      if (!(key in object)) problems.push(`${path} must have required property '${key}'`);
    }
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
      problems.push(`${path} must have at least ${schema.minProperties} properties`);
    }
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      problems.push(`${path} must have at most ${schema.maxProperties} properties, got ${keys.length}`);
    }
    for (const key of keys) {
      const property = schema.properties?.[key] ?? schema.additionalProperties;
      if (property === undefined) {
        problems.push(
          `${path}/${key} is not a field of the schema (copy it from the pinned CRD into cli/rules/crd-schemas.ts)`,
        );
      } else {
        problems.push(...crdSchemaProblems(property, object[key], `${path}/${key}`));
      }
    }
  }
  return problems;
}

const string: CrdSchema = { type: 'string' };
const stringMap: CrdSchema = { type: 'object', additionalProperties: string };
const strings: CrdSchema = { type: 'array', items: string };
/** `name` of a referenced object in the CRDs: a DNS-1123 subdomain. */
const objectName: CrdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
};
/** `namespace` of a referenced object in the CRDs: a DNS-1123 label. */
const namespaceName: CrdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
};

/** ObjectMeta as the platform writes it (the API server validates the rest of it for every kind). */
function metadata(namespaced: boolean): CrdSchema {
  return {
    type: 'object',
    required: namespaced ? ['name', 'namespace'] : ['name'],
    properties: {
      name: objectName,
      ...(namespaced ? { namespace: namespaceName } : {}),
      labels: stringMap,
      annotations: stringMap,
    },
  };
}

/** The object's envelope: apiVersion, kind, metadata and `spec`. */
function resource(kind: string, namespaced: boolean, spec: CrdSchema): CrdSchema {
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string', enum: ['external-secrets.io/v1'] },
      kind: { type: 'string', enum: [kind] },
      metadata: metadata(namespaced),
      spec,
    },
  };
}

/** ClusterSecretStore (scope Cluster): `spec.provider.aws` and `spec.conditions`. */
const CLUSTER_SECRET_STORE: CrdSchema = resource('ClusterSecretStore', false, {
  type: 'object',
  required: ['provider'],
  properties: {
    // "Only one provider may be set".
    provider: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      properties: {
        aws: {
          type: 'object',
          required: ['region', 'service'],
          properties: {
            service: { type: 'string', enum: ['SecretsManager', 'ParameterStore', 'CertificateManager'] },
            region: string,
            role: string,
            prefix: string,
            auth: {
              type: 'object',
              properties: {
                jwt: {
                  type: 'object',
                  properties: {
                    serviceAccountRef: {
                      type: 'object',
                      required: ['name'],
                      properties: { name: objectName, namespace: namespaceName, audiences: strings },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          namespaces: { type: 'array', items: namespaceName },
          namespaceRegexes: strings,
          namespaceSelector: { type: 'object', properties: { matchLabels: stringMap } },
        },
      },
    },
  },
});

/** `remoteRef` of `data[]` and `extract` of `dataFrom[]` (ExternalSecretDataRemoteRef). */
const remoteRef: CrdSchema = {
  type: 'object',
  required: ['key'],
  properties: {
    key: string,
    property: string,
    version: string,
    conversionStrategy: { type: 'string', enum: ['Default', 'Unicode'] },
    decodingStrategy: { type: 'string', enum: ['Auto', 'Base64', 'Base64URL', 'None'] },
    metadataPolicy: { type: 'string', enum: ['None', 'Fetch'] },
  },
};

/** ExternalSecret (namespaced): store reference, target, `data` and `dataFrom[].extract`. */
const EXTERNAL_SECRET: CrdSchema = resource('ExternalSecret', true, {
  type: 'object',
  properties: {
    refreshInterval: string,
    secretStoreRef: {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['SecretStore', 'ClusterSecretStore'] },
        name: objectName,
      },
    },
    target: {
      type: 'object',
      properties: {
        name: objectName,
        creationPolicy: { type: 'string', enum: ['Owner', 'Orphan', 'Merge', 'None', 'CreateOrMerge'] },
        deletionPolicy: { type: 'string', enum: ['Delete', 'Merge', 'Retain'] },
        immutable: { type: 'boolean' },
      },
    },
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['remoteRef', 'secretKey'],
        properties: {
          secretKey: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$' },
          remoteRef,
        },
      },
    },
    dataFrom: { type: 'array', items: { type: 'object', properties: { extract: remoteRef } } },
  },
});

/** The schemas by `<apiVersion>/<kind>`. */
export const CRD_SCHEMAS: Readonly<Record<string, CrdSchema>> = {
  'external-secrets.io/v1/ClusterSecretStore': CLUSTER_SECRET_STORE,
  'external-secrets.io/v1/ExternalSecret': EXTERNAL_SECRET,
};
