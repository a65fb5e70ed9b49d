import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CLUSTER_SECRET_STORE, EXTERNAL_SECRETS_API_VERSION } from '../../platform/external-secrets';
import type { AppConfig } from '../../platform/schema';

export interface AppExternalSecretsProps {
  readonly secrets: AppConfig['secrets'];
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/**
 * How often the operator reads each secret again: the CRD's default (`refreshInterval`,
 * "1h0m0s" in config/crds/bases/external-secrets.io_externalsecrets.yaml at helm-chart-2.9.0),
 * written out so dist/ says when a rotated value reaches the pods.
 */
export const SECRET_REFRESH_INTERVAL = '1h';

/**
 * One ExternalSecret per secret an app declares (`apps[].secrets`), in the app's namespace, each
 * making the Kubernetes Secret of the same name from the Secrets Manager secret `remoteKey`,
 * through the ClusterSecretStore `aws-secrets-manager` (manifests/charts/external-secrets-chart.ts).
 * - `keys` given: those properties of the secret's JSON object, one Secret key each
 *   (`data[].remoteRef.property`); omitted: every key of the object (`dataFrom[].extract`).
 * - `creationPolicy: Owner`: the Secret belongs to its ExternalSecret and is deleted with it;
 *   `deletionPolicy: Retain` (the CRD's default): a secret deleted in AWS leaves the last value in
 *   the cluster rather than breaking the running pods.
 * Fields as the v1 CRD of the pinned chart defines them (ExternalSecretSpec).
 */
export class AppExternalSecrets extends Construct {
  constructor(scope: Construct, id: string, props: AppExternalSecretsProps) {
    super(scope, id);
    for (const secret of props.secrets) {
      new ApiObject(this, secret.name, {
        apiVersion: EXTERNAL_SECRETS_API_VERSION,
        kind: 'ExternalSecret',
        metadata: { name: secret.name, namespace: props.namespace, labels: { ...props.labels } },
        spec: {
          refreshInterval: SECRET_REFRESH_INTERVAL,
          secretStoreRef: { kind: 'ClusterSecretStore', name: CLUSTER_SECRET_STORE },
          target: { name: secret.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
          ...(secret.keys === undefined
            ? { dataFrom: [{ extract: { key: secret.remoteKey } }] }
            : {
                data: secret.keys.map((key) => ({
                  secretKey: key,
                  remoteRef: { key: secret.remoteKey, property: key },
                })),
              }),
        },
      });
    }
  }
}
