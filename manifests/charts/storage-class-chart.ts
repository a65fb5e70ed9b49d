import { Chart } from 'cdk8s';
import { KubeStorageClass } from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { EBS_CSI_DRIVER, ebsVolumeKeyAlias } from '../../platform/names';
import type { ClusterConfig, PlatformConfig } from '../../platform/schema';
import { addonLabels } from '../constructs/addon-labels';
import { annotateSyncWaves } from '../sync-waves';

export interface StorageClassChartProps {
  readonly config: PlatformConfig;
  readonly cluster: ClusterConfig;
}

/** The annotation that makes a StorageClass the one of claims naming none. */
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/**
 * The cluster's default StorageClass `gp3`, provisioned by the EBS CSI driver that the cluster
 * stack installs as an EKS managed add-on (infra/constructs/ebs-csi-driver.ts). Parameters as the
 * driver documents them (https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/v1.64.0/docs/parameters.md):
 * gp3 (baseline 3000 IOPS and 125 MiB/s whatever the size, cheaper per GiB than gp2), encrypted with
 * the cluster's own volume key, named by its alias ARN since the key's ARN is not known before
 * apply (the driver then refuses to clone a volume into this class, as it compares key ids;
 * snapshots restore). `WaitForFirstConsumer`: an EBS volume lives in one zone, so it is created
 * in the zone of the node its first pod is scheduled to, never in a zone where the pod cannot run
 * (https://kubernetes.io/docs/concepts/storage/storage-classes/#volume-binding-mode).
 *
 * Two defaults: EKS creates a `gp2` class (in-tree provisioner, migrated to this driver) on every
 * cluster and annotates it as default only on clusters created before Kubernetes 1.30; where both
 * are default, Kubernetes (1.26 and later) gives claims the most recently created default class
 * (https://kubernetes.io/docs/concepts/storage/storage-classes/#default-storageclass), which is
 * this one, created after the cluster. So gp2 is left as EKS manages it. The add-on's own
 * `defaultStorageClass` option stays off: the class is here, in Git, reviewed in dist/.
 */
export class StorageClassChart extends Chart {
  constructor(scope: Construct, id: string, props: StorageClassChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config, cluster } = props;
    new KubeStorageClass(this, 'gp3', {
      metadata: {
        name: EBS_CSI_DRIVER.storageClass,
        labels: addonLabels('aws-ebs-csi-driver'),
        annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' },
      },
      provisioner: EBS_CSI_DRIVER.provisioner,
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        kmsKeyId: ebsVolumeKeyAlias(config, cluster).arn,
      },
      reclaimPolicy: config.addons.ebsCsiDriver.reclaimPolicy,
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
    annotateSyncWaves(this);
  }
}
