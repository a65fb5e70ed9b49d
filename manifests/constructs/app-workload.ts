import { Construct } from 'constructs';
import { appSecretMountPath } from '../../platform/external-secrets';
import { appNamespace } from '../../platform/names';
import type { AppConfig } from '../../platform/schema';
import { AlbIngress } from './alb-ingress';
import { AppExternalSecrets } from './app-external-secrets';
import { appLabels } from './app-labels';
import { CpuAutoscaler } from './cpu-autoscaler';
import { DisruptionBudget } from './disruption-budget';
import { HttpDeployment } from './http-deployment';
import { HttpService, type LoadBalancerProvider } from './http-service';
import { WorkloadServiceAccount } from './workload-service-account';

/**
 * The name of the Service that publishes an app's name in `zone`. The AWS Load Balancer
 * Controller's Services get a name of their own, `<name>-<zone>-nlb-ip`: its documentation forbids
 * changing `aws-load-balancer-type` on an existing Service (the cloud provider then ignores it and
 * never deletes its NLB, which leaks;
 * https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/guide/service/nlb.md),
 * so switching controllers replaces the Service: Argo CD creates the new one, and prunes the old
 * one last (PruneLast), whose controller then deletes its load balancer.
 */
export function publishedServiceName(
  app: Pick<AppConfig, 'name'>,
  zone: 'private' | 'public',
  provider: LoadBalancerProvider,
): string {
  return provider === 'cloud-provider' ? `${app.name}-${zone}` : `${app.name}-${zone}-nlb-ip`;
}

export interface AppWorkloadProps {
  readonly app: AppConfig;
  /**
   * Which controller makes the app's load balancers: the AWS Load Balancer Controller when the
   * environment runs it (`addons.loadBalancerController`), which an app with `loadBalancer: alb`
   * requires (refused at load otherwise). @default 'cloud-provider'
   */
  readonly provider?: LoadBalancerProvider;
}

/**
 * Everything an `apps` entry runs, in the app's namespace (created by its chart): ServiceAccount,
 * the ExternalSecrets of its `secrets`, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget, a ClusterIP Service `<name>` for
 * in-cluster callers and, per published DNS name, a LoadBalancer Service (an NLB) or, with
 * `loadBalancer: alb`, an Ingress of class alb (an ALB) in front of that ClusterIP Service
 * (`<name>-private`, `<name>-public`; `publishedServiceName` for the controller's Services). Every name, label and selector comes from config, never from the construct
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
      if (app.loadBalancer === 'alb') {
        if (props.provider !== 'load-balancer-controller') {
          // The schema refuses this config (apps[].loadBalancer); reaching here is a programming error.
          throw new Error(`app ${app.name}: loadBalancer alb needs the AWS Load Balancer Controller`);
        }
        new AlbIngress(this, `${zone}-ingress`, {
          name: `${app.name}-${zone}`,
          namespace,
          serviceName: app.name,
          publish: { zone, record },
          healthPath: app.healthPath,
          labels,
        });
        continue;
      }
      new HttpService(this, `${zone}-service`, {
        name: publishedServiceName(app, zone, props.provider ?? 'cloud-provider'),
        namespace,
        selector,
        labels,
        publish: { zone, record },
        provider: props.provider,
      });
    }
  }
}
