import { Construct } from 'constructs';
import { appSecretMountPath } from '../../platform/external-secrets';
import { appNamespace } from '../../platform/names';
import type { AppConfig } from '../../platform/schema';
import { AppExternalSecrets } from './app-external-secrets';
import { appLabels } from './app-labels';
import { CpuAutoscaler } from './cpu-autoscaler';
import { DisruptionBudget } from './disruption-budget';
import { HttpDeployment } from './http-deployment';
import { HttpService } from './http-service';
import { WorkloadServiceAccount } from './workload-service-account';

export interface AppWorkloadProps {
  readonly app: AppConfig;
}

/**
 * Everything an `apps` entry runs, in the app's namespace (created by its chart): ServiceAccount,
 * the ExternalSecrets of its `secrets`, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget, a ClusterIP Service `<name>` for
 * in-cluster callers and one LoadBalancer Service per published DNS name (`<name>-private`,
 * `<name>-public`). Every name, label and selector comes from config, never from the construct
 * path, so the construct can move in the tree without renaming or re-selecting anything.
 */
export class AppWorkload extends Construct {
  readonly deployment: HttpDeployment;

  constructor(scope: Construct, id: string, props: AppWorkloadProps) {
    super(scope, id);
    const { app } = props;
    const namespace = appNamespace(app);
    const labels = appLabels(app);

    const serviceAccount = new WorkloadServiceAccount(this, 'service-account', {
      name: app.name,
      namespace,
      labels,
    });
    new AppExternalSecrets(this, 'secrets', { secrets: app.secrets, namespace, labels });
    this.deployment = new HttpDeployment(this, 'deployment', {
      name: app.name,
      namespace,
      image: app.image,
      port: app.port,
      healthPath: app.healthPath,
      livenessPath: app.livenessPath,
      resources: app.resources,
      serviceAccountName: serviceAccount.name,
      placement: app.placement,
      tolerations: app.tolerations,
      labels,
      secretMounts: app.secrets.map((secret) => ({
        secretName: secret.name,
        mountPath: appSecretMountPath(secret.name),
      })),
    });
    const { selector } = this.deployment;
    new CpuAutoscaler(this, 'autoscaler', {
      deploymentName: this.deployment.name,
      namespace,
      minReplicas: app.replicas.min,
      maxReplicas: app.replicas.max,
      targetCpuPercent: app.replicas.targetCpuPercent,
      labels,
    });
    new DisruptionBudget(this, 'disruption-budget', { name: app.name, namespace, selector, labels });
    new HttpService(this, 'service', { name: app.name, namespace, selector, labels });
    for (const zone of ['private', 'public'] as const) {
      const record = app.dns[zone];
      if (record === undefined) continue;
      new HttpService(this, `${zone}-service`, {
        name: `${app.name}-${zone}`,
        namespace,
        selector,
        labels,
        publish: { zone, record },
      });
    }
  }
}
