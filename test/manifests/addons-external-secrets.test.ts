/**
 * External Secrets Operator (`addons.externalSecrets`): the pinned chart and its Application, the
 * least-privilege AppProject, the ClusterSecretStore, the IRSA role's scope and trust, the apps'
 * ExternalSecrets and mounts, the offline schema check of those kinds, and the load-time refusals.
 */
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { iamWildcardsRule } from '../../cli/rules/iam-wildcards';
import { irsaRule } from '../../cli/rules/irsa-trust';
import { kubernetesSchemaRule } from '../../cli/rules/kubernetes-schema';
import { namespaceExistsRule, objectScopeRule } from '../../cli/rules/object-scope';
import { APPLICATION_WAVES, LAYER_LABEL } from '../../manifests/charts/argocd-chart';
import { SYNC_WAVE_ANNOTATION } from '../../manifests/sync-waves';
import {
  CLUSTER_SECRET_STORE,
  EXTERNAL_SECRETS_CHART,
  EXTERNAL_SECRETS_OPERATOR_APPLICATION,
} from '../../platform/external-secrets';
import { ConfigError, parseConfig } from '../../platform/load';
import { IRSA_AUDIENCE, IRSA_ROLE_ANNOTATION, stackNames } from '../../platform/names';
import { findObject, fixtureConfig, fixtureText, objectsOf, resourcesOf, stackOf } from '../helpers';
import { documentOf, one } from '../infra/stack-json';
import { render } from './addons-helpers';

type Raw = Record<string, any>;
type Obj = Record<string, any>;

/** The ledger app (namespace payments) declares two secrets, one by keys and one whole. */
const withSecrets = (raw: Raw) => {
  raw.addons = { ...raw.addons, externalSecrets: { enabled: true } };
  const ledger = raw.apps.find((a: Raw) => a.name === 'ledger');
  ledger.secrets = [
    { name: 'ledger-db', remoteKey: 'prod/payments/db', keys: ['username', 'password'] },
    { name: 'ledger.api-token', remoteKey: 'prod/payments/api-token' },
  ];
};
const prod = fixtureConfig('prod', withSecrets);
// The default: the fixture does not mention the add-on.
const off = fixtureConfig('stage', (raw) => {
  expect(raw.addons?.externalSecrets).toBeUndefined();
});
const rendering = render(prod, off);
const argocd = (cluster: string) => objectsOf(rendering, cluster, 'argocd').map((o) => o.object as Obj);
const named = (objects: Obj[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

/** The problems parseConfig reports for the prod fixture after `edit`, one formatted line each. */
function problems(edit: (raw: Raw) => void): string[] {
  const raw = parse(fixtureText('prod')) as Raw;
  edit(raw);
  try {
    parseConfig(stringify(raw), 'prod.yaml', 'prod');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('External Secrets Operator add-on', () => {
  it('is off by default and then renders nothing of it: no store, no Application, no role', () => {
    expect(off.addons.externalSecrets).toEqual({ enabled: false });
    expect(objectsOf(rendering, 'stage-green', 'external-secrets')).toEqual([]);
    expect(
      named(argocd('stage-green'), 'Application', EXTERNAL_SECRETS_OPERATOR_APPLICATION),
    ).toBeUndefined();
    expect(named(argocd('stage-green'), 'AppProject', EXTERNAL_SECRETS_OPERATOR_APPLICATION)).toBeUndefined();
    const stack = stackOf(rendering, stackNames.cluster(off, off.clusters[0] as never));
    expect(Object.values(resourcesOf(stack, 'aws_iam_role')).map((r) => r.name)).not.toContain(
      'stage-green-external-secrets',
    );
  });

  it('installs the pinned upstream chart 2.9.0 as an Application in the operators wave, with the IRSA annotation', () => {
    // external-secrets/external-secrets deploy/charts/external-secrets/Chart.yaml at helm-chart-2.9.0.
    expect(EXTERNAL_SECRETS_CHART).toEqual({
      repoURL: 'https://charts.external-secrets.io',
      chart: 'external-secrets',
      version: '2.9.0',
    });
    const application = named(argocd('prod-blue'), 'Application', 'external-secrets-operator') as Obj;
    expect(application.metadata.labels[LAYER_LABEL]).toBe('addons');
    expect(application.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(APPLICATION_WAVES.operators));
    expect(APPLICATION_WAVES.operators).toBeLessThan(APPLICATION_WAVES.addons);
    expect(application.spec.project).toBe('external-secrets-operator');
    expect(application.spec.source).toEqual({
      repoURL: 'https://charts.external-secrets.io',
      chart: 'external-secrets',
      targetRevision: '2.9.0',
      helm: {
        releaseName: 'external-secrets',
        valuesObject: {
          installCRDs: true,
          serviceAccount: {
            annotations: {
              [IRSA_ROLE_ANNOTATION]: 'arn:aws:iam::111111111111:role/prod-blue-external-secrets',
            },
          },
          rbac: { serviceAccountTokenCreate: false, aggregateToEdit: false, aggregateToAdmin: false },
          resources: { requests: { cpu: '10m', memory: '32Mi' } },
          webhook: { failurePolicy: 'Fail', resources: { requests: { cpu: '10m', memory: '32Mi' } } },
          certController: { resources: { requests: { cpu: '10m', memory: '32Mi' } } },
        },
      },
    });
    expect(application.spec.destination.namespace).toBe('external-secrets');
    // The CRDs are 690 kB: client-side apply's last-applied annotation could not hold them.
    expect(application.spec.syncPolicy.syncOptions).toEqual(
      expect.arrayContaining(['ServerSideApply=true', 'CreateNamespace=true']),
    );
    // Each cluster's values carry its own role.
    const green = named(argocd('prod-green'), 'Application', 'external-secrets-operator') as Obj;
    expect(green.spec.source.helm.valuesObject.serviceAccount.annotations[IRSA_ROLE_ANNOTATION]).toBe(
      'arn:aws:iam::111111111111:role/prod-green-external-secrets',
    );
  });

  it("gives the chart a project of its own: its repository, its namespace, exactly the chart's kinds", () => {
    const project = named(argocd('prod-blue'), 'AppProject', 'external-secrets-operator') as Obj;
    expect(project.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(APPLICATION_WAVES.project));
    expect(project.spec.sourceRepos).toEqual(['https://charts.external-secrets.io']);
    expect(project.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'external-secrets' },
    ]);
    expect(project.spec.clusterResourceWhitelist).toEqual([
      { group: '', kind: 'Namespace' },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
    ]);
    expect(project.spec.namespaceResourceWhitelist).toEqual([
      { group: '', kind: 'Secret' },
      { group: '', kind: 'Service' },
      { group: '', kind: 'ServiceAccount' },
      { group: 'apps', kind: 'Deployment' },
      { group: 'rbac.authorization.k8s.io', kind: 'Role' },
      { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
    ]);
    // The cluster's own project allows the store's kind (read from the component) and the apps'
    // ExternalSecrets, and still only this repository.
    const clusterProject = named(argocd('prod-blue'), 'AppProject', 'prod-blue') as Obj;
    expect(clusterProject.spec.sourceRepos).toEqual([prod.gitops.repoURL]);
    expect(clusterProject.spec.clusterResourceWhitelist).toContainEqual({
      group: 'external-secrets.io',
      kind: 'ClusterSecretStore',
    });
    expect(clusterProject.spec.namespaceResourceWhitelist).toContainEqual({
      group: 'external-secrets.io',
      kind: 'ExternalSecret',
    });
  });

  it('renders the ClusterSecretStore for Secrets Manager in the region, usable only by the namespaces that declare secrets', () => {
    const store = findObject(rendering, 'prod-blue', 'ClusterSecretStore', CLUSTER_SECRET_STORE);
    expect(store).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: {
        name: 'aws-secrets-manager',
        labels: { 'app.kubernetes.io/name': 'external-secrets' },
        annotations: {
          'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
          [SYNC_WAVE_ANNOTATION]: '0',
        },
      },
      spec: {
        // No auth: the controller's own IRSA credentials.
        provider: { aws: { service: 'SecretsManager', region: 'ca-central-1' } },
        conditions: [{ namespaces: ['payments'] }],
      },
    });
    const application = named(argocd('prod-blue'), 'Application', 'external-secrets') as Obj;
    expect(application.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(APPLICATION_WAVES.addons));
    expect(application.spec.source.path).toBe('dist/prod-blue/external-secrets');
  });

  it("scopes the IRSA role to the environment's secret prefix, read-only, KMS only through Secrets Manager", () => {
    for (const cluster of prod.clusters) {
      const stack = stackOf(rendering, stackNames.cluster(prod, cluster));
      const name = `prod-${cluster.color}`;
      const role = one(resourcesOf(stack, 'aws_iam_role'), 'irsa-external-secrets');
      expect(role.name).toBe(`${name}-external-secrets`);
      const [trust] = documentOf(stack, role.assume_role_policy).statement as [Obj];
      expect(trust.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
      expect(
        (trust.condition as Obj[]).map((c) => [c.test, String(c.variable).split(':').pop(), c.values]),
      ).toEqual(
        expect.arrayContaining([
          ['StringEquals', 'sub', ['system:serviceaccount:external-secrets:external-secrets']],
          ['StringEquals', 'aud', [IRSA_AUDIENCE]],
        ]),
      );
      const policy = one(resourcesOf(stack, 'aws_iam_role_policy'), 'irsa-external-secrets-permissions');
      const secrets = 'arn:aws:secretsmanager:ca-central-1:111111111111:secret:prod/*';
      expect(documentOf(stack, policy.policy).statement).toEqual([
        {
          sid: 'ReadEnvironmentSecrets',
          effect: 'Allow',
          actions: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:ListSecretVersionIds',
          ],
          resources: [secrets],
        },
        {
          sid: 'DecryptEnvironmentSecrets',
          effect: 'Allow',
          actions: ['kms:Decrypt'],
          resources: ['arn:aws:kms:ca-central-1:111111111111:key/*'],
          condition: [
            {
              test: 'StringEquals',
              variable: 'kms:ViaService',
              values: ['secretsmanager.ca-central-1.amazonaws.com'],
            },
            { test: 'StringLike', variable: 'kms:EncryptionContext:SecretARN', values: [secrets] },
          ],
        },
      ]);
    }
  });

  it('takes the prefix from config when given', () => {
    const custom = fixtureConfig('prod', (raw) => {
      withSecrets(raw);
      raw.addons.externalSecrets.prefix = 'platform/prod/';
      for (const secret of raw.apps.find((a: Raw) => a.name === 'ledger').secrets) {
        secret.remoteKey = secret.remoteKey.replace(/^prod\//, 'platform/prod/');
      }
    });
    const customRendering = render(custom);
    const stack = stackOf(customRendering, stackNames.cluster(custom, custom.clusters[0] as never));
    const policy = one(resourcesOf(stack, 'aws_iam_role_policy'), 'irsa-external-secrets-permissions');
    const [read] = documentOf(stack, policy.policy).statement as Obj[];
    expect(read?.resources).toEqual([
      'arn:aws:secretsmanager:ca-central-1:111111111111:secret:platform/prod/*',
    ]);
  });

  it("renders an app's secrets as ExternalSecrets before its pods, and mounts each Secret read-only", () => {
    const byKeys = findObject(rendering, 'prod-blue', 'ExternalSecret', 'ledger-db', 'payments');
    expect(byKeys.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe('-2');
    expect(byKeys.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
      target: { name: 'ledger-db', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [
        { secretKey: 'username', remoteRef: { key: 'prod/payments/db', property: 'username' } },
        { secretKey: 'password', remoteRef: { key: 'prod/payments/db', property: 'password' } },
      ],
    });
    const whole = findObject(rendering, 'prod-blue', 'ExternalSecret', 'ledger.api-token', 'payments');
    expect(whole.spec.dataFrom).toEqual([{ extract: { key: 'prod/payments/api-token' } }]);
    expect(whole.spec.data).toBeUndefined();
    const pod = findObject(rendering, 'prod-blue', 'Deployment', 'ledger', 'payments').spec.template.spec;
    expect(pod.volumes.slice(1)).toEqual([
      { name: 'secret-0', secret: { secretName: 'ledger-db', defaultMode: 0o440 } },
      { name: 'secret-1', secret: { secretName: 'ledger.api-token', defaultMode: 0o440 } },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'secret-0', mountPath: '/var/run/secrets/app/ledger-db', readOnly: true },
      { name: 'secret-1', mountPath: '/var/run/secrets/app/ledger.api-token', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    // An app without secrets is unchanged: no ExternalSecret, only /tmp.
    expect(objectsOf(rendering, 'prod-blue', 'apps-web').map((o) => o.object.kind)).not.toContain(
      'ExternalSecret',
    );
  });

  it('passes the schema, scope, IRSA and IAM rules on the render', () => {
    const input = { rendering, configs: [prod, off] };
    for (const rule of [
      kubernetesSchemaRule,
      objectScopeRule,
      namespaceExistsRule,
      irsaRule,
      iamWildcardsRule,
    ]) {
      expect(rule.check(input), rule.id).toEqual([]);
    }
  });

  it('fails the schema rule on a store or ExternalSecret that the pinned CRD refuses', () => {
    const broken = structuredClone(rendering);
    const store = broken.objects.find((o) => o.object.kind === 'ClusterSecretStore') as { object: Obj };
    store.object.spec.provider.aws.service = 'SecretManager';
    store.object.spec.provider.gcpsm = {};
    const secret = broken.objects.find((o) => o.object.kind === 'ExternalSecret') as { object: Obj };
    secret.object.spec.data[0].secretKey = 'not/a/key';
    delete secret.object.spec.data[1].remoteRef.key;
    secret.object.spec.target.nmae = 'typo';
    const messages = kubernetesSchemaRule
      .check({ rendering: broken, configs: [prod, off] })
      .map((f) => f.message)
      .join('\n');
    expect(messages).toContain('data/spec/provider must have at most 1 properties, got 2');
    expect(messages).toContain(
      'data/spec/provider/aws/service must be one of SecretsManager, ParameterStore, CertificateManager, got "SecretManager"',
    );
    expect(messages).toContain(
      'data/spec/data/0/secretKey must match pattern ^[-._a-zA-Z0-9]+$, got "not/a/key"',
    );
    expect(messages).toContain("data/spec/data/1/remoteRef must have required property 'key'");
    expect(messages).toContain('data/spec/target/nmae is not a field of the schema');
  });

  it('rejects secrets while the add-on is off', () => {
    expect(
      problems((raw) => {
        raw.apps[1].secrets = [{ name: 'db', remoteKey: 'prod/payments/db' }];
      }),
    ).toEqual([
      'prod.yaml: apps[1].secrets: must be empty while addons.externalSecrets.enabled is false: no operator would create the Secrets and the pods would never start, got a list of 1',
    ]);
  });

  it("rejects an app in the operator's namespace, which the app would prune with it", () => {
    expect(
      problems((raw) => {
        raw.apps[0].namespace = 'external-secrets';
      }),
    ).toEqual([
      'prod.yaml: apps[0].namespace: gives the namespace external-secrets, which belongs to add-on external-secrets: an app\'s namespace is created and pruned with the app, got "external-secrets"',
    ]);
  });

  it('rejects a remote key outside the prefix, a prefix without a final slash, and invalid Secret names and keys', () => {
    expect(
      problems((raw) => {
        raw.addons.externalSecrets = { enabled: true };
        raw.apps[1].secrets = [
          { name: 'db', remoteKey: 'stage/payments/db' },
          { name: 'Bad_Name', remoteKey: 'prod/x' },
          { name: 'x'.repeat(254), remoteKey: 'prod/y' },
          { name: 'db', remoteKey: 'prod/z', keys: ['a b', 'ok'] },
          { name: 'dup', remoteKey: 'prod/z', keys: ['ok', 'ok'] },
        ];
      }),
    ).toEqual([
      expect.stringMatching(
        /^prod\.yaml: apps\[1\]\.secrets\[1\]\.name: must be a Kubernetes Secret name: a DNS-1123 subdomain .*at most 253 characters, got "Bad_Name"$/,
      ),
      expect.stringMatching(/^prod\.yaml: apps\[1\]\.secrets\[2\]\.name: must be a Kubernetes Secret name/),
      expect.stringMatching(
        /^prod\.yaml: apps\[1\]\.secrets\[3\]\.keys\[0\]: must be a Secret key: .*, got "a b"$/,
      ),
      'prod.yaml: apps[1].secrets[4].keys[1]: is listed twice, got "ok"',
    ]);
    expect(
      problems((raw) => {
        raw.addons.externalSecrets = { enabled: true };
        raw.apps[1].secrets = [
          { name: 'db', remoteKey: 'stage/payments/db' },
          { name: 'db', remoteKey: 'prod/z' },
          { name: 'other', remoteKey: 'prod/' },
        ];
      }),
    ).toEqual([
      'prod.yaml: apps[1].secrets[0].remoteKey: must be a secret name under addons.externalSecrets.prefix "prod/" (the operator\'s IAM role may read nothing else), got "stage/payments/db"',
      'prod.yaml: apps[1].secrets[1].name: is declared twice in this app, got "db"',
      'prod.yaml: apps[1].secrets[2].remoteKey: must be a secret name under addons.externalSecrets.prefix "prod/" (the operator\'s IAM role may read nothing else), got "prod/"',
    ]);
    expect(
      problems((raw) => {
        raw.addons.externalSecrets = { enabled: true, prefix: 'prod' };
      }),
    ).toEqual([
      'prod.yaml: addons.externalSecrets.prefix: must end with \'/\': IAM matches secret:<prefix>* as text, so "prod" would also match "prodother/…", got "prod"',
    ]);
  });
});
