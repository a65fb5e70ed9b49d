import { KubeCronJob } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { appNamespace } from '../../platform/names';
import type { AppConfig } from '../../platform/schema';
import { appLabels } from '../constructs/app-labels';
import { containerResources } from '../constructs/container-resources';
import { restrictedPodSpec } from '../constructs/restricted-pod-spec';
import { WorkloadServiceAccount } from '../constructs/workload-service-account';

export interface LedgerReconciliationProps {
  /** The `ledger` entry of `apps`: the job runs its image, in its namespace, for its team. */
  readonly app: AppConfig;
  /** @default '15 2 * * *' - every night at 02:15 */
  readonly schedule?: string;
  /** @default 'America/Toronto' */
  readonly timeZone?: string;
}

/**
 * Example of the extension path (README, "Workloads that do not fit the config"): a nightly
 * CronJob that reconciles the ledger, which `apps` cannot express. It is built from the same
 * building blocks as the config-driven apps, so it gets the same guarantees without repeating
 * them: its own ServiceAccount without token, the restricted pod spec (non-root, read-only root
 * filesystem, /tmp, no capabilities), requests and limits, and a placement.
 *
 * It runs on `essential` nodes: a reconciliation stopped halfway by a spot reclaim would have to
 * start over, while the job costs little on-demand capacity. Its pods carry their own
 * `app.kubernetes.io/name`, so the ledger's Services, PodDisruptionBudget and topology spread
 * never select them.
 */
export class LedgerReconciliation extends Construct {
  constructor(scope: Construct, id: string, props: LedgerReconciliationProps) {
    super(scope, id);
    const { app } = props;
    const name = `${app.name}-reconciliation`;
    const namespace = appNamespace(app);
    const labels = appLabels(app, name);

    const serviceAccount = new WorkloadServiceAccount(this, 'service-account', { name, namespace, labels });
    new KubeCronJob(this, 'resource', {
      metadata: { name, namespace, labels },
      spec: {
        schedule: props.schedule ?? '15 2 * * *',
        timeZone: props.timeZone ?? 'America/Toronto',
        // A run still going when the next is due is left alone: two reconciliations of the same
        // ledger at once would race.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3600,
            template: {
              metadata: { labels },
              spec: restrictedPodSpec({
                serviceAccountName: serviceAccount.name,
                restartPolicy: 'Never',
                placement: 'essential',
                containers: [
                  {
                    name: 'reconcile',
                    image: app.image,
                    args: ['reconcile', '--since=24h'],
                    resources: containerResources({ cpu: '250m', memory: '512Mi' }),
                  },
                ],
              }),
            },
          },
        },
      },
    });
  }
}
