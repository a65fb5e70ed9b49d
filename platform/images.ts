/**
 * The version catalog: every image the platform's add-ons run, pinned by tag in this one file so a
 * version bump is a one-line review that changes dist/ in exactly the places that use it. Each
 * entry says how its version was chosen. Tags on registry.k8s.io are immutable (the registry
 * refuses to re-push a promoted tag), so a tag pins as firmly as a digest here.
 * https://github.com/kubernetes/k8s.io/tree/main/registry.k8s.io#image-promotion
 */
import { type KubernetesVersion, SUPPORTED_KUBERNETES_VERSIONS } from './versions';

/**
 * cluster-autoscaler, one release line per Kubernetes minor: the autoscaler's minor must equal the
 * cluster's, because it simulates the scheduler of that exact version
 * (https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases).
 * Each minor takes its newest patch on registry.k8s.io as of 2026-11:
 * - 1.33.6, 1.34.5, 1.35.2 were promoted together on 2026-07-22
 *   (https://github.com/kubernetes/k8s.io/pull/9760), superseding 1.33.5, 1.34.4 and 1.35.1
 *   (https://github.com/kubernetes/k8s.io/pull/9676).
 * - 1.32.7 (https://github.com/kubernetes/k8s.io/pull/9116) is the last 1.32 patch; it replaced
 *   1.32.6, whose amd64 image holds an arm64 binary (https://github.com/kubernetes/autoscaler/issues/9226).
 * Typed by KubernetesVersion: adding a minor to versions.ts fails to compile until it has an image.
 */
export const CLUSTER_AUTOSCALER_IMAGES: Readonly<Record<KubernetesVersion, string>> = {
  '1.32': 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.7',
  '1.33': 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6',
  '1.34': 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.5',
  '1.35': 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2',
};

/**
 * metrics-server: 0.9.x supports Kubernetes 1.34+, 0.8.x supports 1.31+ (compatibility matrix,
 * https://github.com/kubernetes-sigs/metrics-server#compatibility-matrix). Each minor takes the
 * newest release that supports it: v0.9.0 (promoted 2026-07-13,
 * https://github.com/kubernetes/k8s.io/pull/9711) from 1.34, v0.8.1 (2026-01-29,
 * https://github.com/kubernetes/k8s.io/pull/9026) below.
 */
export const METRICS_SERVER_IMAGES: Readonly<Record<KubernetesVersion, string>> = {
  '1.32': 'registry.k8s.io/metrics-server/metrics-server:v0.8.1',
  '1.33': 'registry.k8s.io/metrics-server/metrics-server:v0.8.1',
  '1.34': 'registry.k8s.io/metrics-server/metrics-server:v0.9.0',
  '1.35': 'registry.k8s.io/metrics-server/metrics-server:v0.9.0',
};

/**
 * external-dns v0.23.0, the newest release (promoted 2026-09-18,
 * https://github.com/kubernetes/k8s.io/pull/9961). Its flags are checked against the docs of this
 * version (https://kubernetes-sigs.github.io/external-dns/v0.23.0/docs/flags/); the chart notes
 * where they differ from the seed's v0.7.6. The seed pulled from eu.gcr.io/k8s-artifacts-prod, a
 * mirror of k8s.gcr.io, frozen since 2023 in favour of registry.k8s.io
 * (https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/).
 */
export const EXTERNAL_DNS_IMAGE = 'registry.k8s.io/external-dns/external-dns:v0.23.0';

/**
 * The overprovisioning placeholder. pause 3.10.1 is the sandbox image Kubernetes itself uses since
 * 1.34 (https://github.com/kubernetes/kubernetes/pull/130713), so nodes already cache it; a 3.10.2
 * bump was proposed upstream but closed unmerged (https://github.com/kubernetes/kubernetes/pull/138195).
 * The container only sleeps, so one version serves every cluster minor.
 */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10.1';

/**
 * cluster-proportional-autoscaler v1.10.3, the newest release (promoted 2026-01-26,
 * https://github.com/kubernetes/k8s.io/pull/9014); it talks only to stable core and apps APIs, so
 * one version serves every cluster minor.
 */
export const CLUSTER_PROPORTIONAL_AUTOSCALER_IMAGE =
  'registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.10.3';

/**
 * node-cache 1.26.4, the image the upstream node-local DNS manifest names
 * (https://github.com/kubernetes/kubernetes/blob/028f956d2f934d6c82ca815e3f8d622da7e480cb/cluster/addons/dns/nodelocaldns/nodelocaldns.yaml).
 * It serves DNS and sets up its node's interface and iptables rules; it calls no Kubernetes API,
 * so one version serves every cluster minor.
 */
export const NODE_LOCAL_DNS_IMAGE = 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4';

/**
 * descheduler, one release line per Kubernetes minor: since v0.18 its minor is the minor of the
 * client libraries it is built with, and a release is tested against that Kubernetes minor and
 * the two before (compatibility matrix,
 * https://github.com/kubernetes-sigs/descheduler/blob/v0.35.1/README.md#compatibility-matrix), so
 * each cluster runs the line of its own minor, as cluster-autoscaler does. Each minor takes the
 * newest tag of its line in kubernetes-sigs/descheduler (git tags v0.32.2, v0.33.0, v0.34.0,
 * v0.35.1); its chart of the same version, whose image tag defaults to the appVersion, is in the
 * project's chart index (https://github.com/kubernetes-sigs/descheduler/blob/gh-pages/index.yaml:
 * 0.32.2 created 2025-02-11, 0.33.0 2025-05-04, 0.34.0 2025-10-30, 0.35.1 2026-03-09).
 * v0.36 (for 1.36) is not taken: no cluster here runs 1.36.
 */
export const DESCHEDULER_IMAGES: Readonly<Record<KubernetesVersion, string>> = {
  '1.32': 'registry.k8s.io/descheduler/descheduler:v0.32.2',
  '1.33': 'registry.k8s.io/descheduler/descheduler:v0.33.0',
  '1.34': 'registry.k8s.io/descheduler/descheduler:v0.34.0',
  '1.35': 'registry.k8s.io/descheduler/descheduler:v0.35.1',
};

/**
 * The NVIDIA device plugin v0.20.0, the newest release tag of NVIDIA/k8s-device-plugin (tagged
 * 2026-08-19, commit 1b826acc6af3079d8923bac395c3124b8861a9a6), whose static manifest runs exactly
 * this image (https://github.com/NVIDIA/k8s-device-plugin/blob/v0.20.0/deployments/static/nvidia-device-plugin.yml).
 * It talks only to the kubelet's device plugin API (v1beta1), stable since Kubernetes 1.10, so one
 * version serves every cluster minor.
 */
export const NVIDIA_DEVICE_PLUGIN_IMAGE = 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0';

function byMinor(catalog: Readonly<Record<KubernetesVersion, string>>, what: string, version: string) {
  const image = (catalog as Readonly<Record<string, string>>)[version];
  if (image === undefined) {
    throw new Error(
      `${what}: no image for Kubernetes ${version}; the catalog covers ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
    );
  }
  return image;
}

/** The cluster-autoscaler image whose minor equals the cluster's Kubernetes minor. */
export function clusterAutoscalerImage(kubernetesVersion: string): string {
  return byMinor(CLUSTER_AUTOSCALER_IMAGES, 'cluster-autoscaler', kubernetesVersion);
}

/** The newest metrics-server image that supports the cluster's Kubernetes minor. */
export function metricsServerImage(kubernetesVersion: string): string {
  return byMinor(METRICS_SERVER_IMAGES, 'metrics-server', kubernetesVersion);
}

/** The descheduler image whose minor equals the cluster's Kubernetes minor. */
export function deschedulerImage(kubernetesVersion: string): string {
  return byMinor(DESCHEDULER_IMAGES, 'descheduler', kubernetesVersion);
}

/**
 * The Helm charts the bootstrap stack installs, from the Argo project's chart repository.
 * - argo-cd 10.10.2 ships Argo CD v3.5.4, the newest chart release found as of 2026-11
 *   (https://github.com/argoproj/argo-helm/releases/tag/argo-cd-10.10.2).
 * - argocd-apps 2.0.7, the newest release of the chart that creates Applications and AppProjects
 *   from values (https://github.com/argoproj/argo-helm/blob/main/charts/argocd-apps/Chart.yaml);
 *   since 2.0 it takes `applications` and `projects` as maps keyed by name.
 * The bootstrap stack sets only `configs.cm` of argo-cd and `projects` / `applications` of
 * argocd-apps; when bumping a version, check those values against the chart's release notes.
 */
export const ARGOCD_HELM = {
  repository: 'https://argoproj.github.io/argo-helm',
  argoCd: { chart: 'argo-cd', version: '10.10.2' },
  argoCdApps: { chart: 'argocd-apps', version: '2.0.7' },
} as const;

/**
 * Fluent Bit 5.1.1, the appVersion of the fluent-bit chart 0.58.1
 * (https://github.com/fluent/helm-charts/blob/5b81bf7a5a5d9f7c3513810efdef47cdb4e28239/charts/fluent-bit/Chart.yaml),
 * from the repository its values.yaml names (`image.repository: cr.fluentbit.io/fluent/fluent-bit`).
 * Its `cloudwatch_logs` output is built in (https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch);
 * it reads files and calls the Kubernetes and CloudWatch Logs APIs, so one version serves every
 * cluster minor.
 */
export const FLUENT_BIT_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:5.1.1';

/**
 * AWS Load Balancer Controller v3.5.0, the image and tag of its chart 3.5.0
 * (https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/helm/aws-load-balancer-controller/values.yaml,
 * `image.repository` and `image.tag`), the newest release tag of the repository. It calls the
 * Kubernetes and ELB/EC2 APIs only, so one version serves every cluster minor the release supports.
 */
export const AWS_LOAD_BALANCER_CONTROLLER_IMAGE = 'public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0';

/**
 * kube-webhook-certgen v1.6.9 by digest, as ingress-nginx's chart 4.15.1 pins it
 * (https://github.com/kubernetes/ingress-nginx/blob/helm-chart-4.15.1/charts/ingress-nginx/values.yaml,
 * `controller.admissionWebhooks.patch.image`): it creates the AWS Load Balancer Controller's
 * webhook certificate once (a Secret) and writes its CA into the webhook configurations.
 */
export const KUBE_WEBHOOK_CERTGEN_IMAGE =
  'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9@sha256:01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd';
