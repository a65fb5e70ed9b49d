/**
 * The chart of each add-on of the catalog (platform/addons.ts), keyed by the catalog's keys. The
 * `satisfies` makes a catalog entry without its chart, or a chart without its entry, a compile
 * error naming the key.
 */
import type { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { ADDON_KEYS, ADDONS, type AddonDefinition, type AddonKey } from '../platform/addons';
import type { ClusterConfig, PlatformConfig } from '../platform/schema';
import { AwsLoadBalancerControllerChart } from './charts/aws-load-balancer-controller-chart';
import { ClusterAutoscalerChart } from './charts/cluster-autoscaler-chart';
import { DeschedulerChart } from './charts/descheduler-chart';
import { ExternalDnsChart } from './charts/external-dns-chart';
import { ExternalSecretsChart } from './charts/external-secrets-chart';
import { FluentBitChart } from './charts/fluent-bit-chart';
import { MetricsServerChart } from './charts/metrics-server-chart';
import { NodeLocalDnsChart } from './charts/node-local-dns-chart';
import { NvidiaDevicePluginChart } from './charts/nvidia-device-plugin-chart';
import { OverprovisioningChart } from './charts/overprovisioning-chart';
import { RbacChart } from './charts/rbac-chart';
import { StorageClassChart } from './charts/storage-class-chart';

/** What every add-on chart is given: the environment and the cluster it renders for. */
export interface AddonChartProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
}

/** An add-on chart's class; its instance's id is the add-on's dist component. */
export type AddonChartClass = new (scope: Construct, id: string, props: AddonChartProps) => Chart;

export const ADDON_CHARTS = {
  rbac: RbacChart,
  clusterAutoscaler: ClusterAutoscalerChart,
  externalDns: ExternalDnsChart,
  metricsServer: MetricsServerChart,
  ebsCsiDriver: StorageClassChart,
  nvidiaDevicePlugin: NvidiaDevicePluginChart,
  overprovisioning: OverprovisioningChart,
  nodeLocalDns: NodeLocalDnsChart,
  descheduler: DeschedulerChart,
  fluentBit: FluentBitChart,
  externalSecrets: ExternalSecretsChart,
  loadBalancerController: AwsLoadBalancerControllerChart,
} satisfies Record<AddonKey, AddonChartClass>;

/** An add-on as the manifests orchestrator renders it: its definition and its chart. */
export interface ManifestAddon {
  readonly definition: AddonDefinition;
  readonly chart: AddonChartClass;
}

/** The catalog's add-ons with their charts, in catalog order. */
export const MANIFEST_ADDONS: readonly ManifestAddon[] = ADDON_KEYS.map((key) => ({
  definition: ADDONS[key],
  chart: ADDON_CHARTS[key],
}));
