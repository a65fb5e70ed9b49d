import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Fn, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { clusterName, liveDnsRecords } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import { awsProvider } from '../aws-provider';
import { useStateBackend } from '../state-backend';

export interface LiveDnsStackProps {
  readonly config: PlatformConfig;
}

/**
 * Seconds resolvers may cache the live records. After a switch, a resolver that cached the old
 * answer follows the new cluster within a minute; with an hour-long TTL, kubeconfig wrappers and
 * CI jobs could keep talking to the old cluster for an hour, possibly after it is destroyed.
 * Route 53 bills by query and only operators and CI query these names, so the short TTL is cheap.
 */
export const LIVE_DNS_TTL = 60;

/**
 * The DNS records that follow `live` (seed 001's kubeconfig wrapper), in the private zone:
 * `api.<zone>`, a CNAME to the live cluster's API endpoint, and `eks.<zone>`, a TXT record holding
 * the live cluster's name, which the wrapper passes to the authenticator.
 *
 * A stack of its own per environment, so a switch is `cdktf deploy <env>-live-dns`: a plan with
 * these two records and nothing else. It has no cdktf dependency on a cluster stack (cdktf refuses
 * to deploy a stack alone when it has one); the live cluster is read with the aws_eks_cluster data
 * source by name, so the plan fails with "cluster not found" if `live` names a cluster not yet
 * created. Logical ids do not mention the color: flipping `live` updates the records in place.
 */
export class LiveDnsStack extends TerraformStack {
  readonly api: Route53Record;
  readonly clusterName: Route53Record;

  constructor(scope: Construct, id: string, props: LiveDnsStackProps) {
    super(scope, id);
    const { config } = props;
    awsProvider(this, config);
    useStateBackend(this, config);

    const live = config.clusters.find((c) => c.color === config.live);
    if (live === undefined) {
      throw new Error(
        `live (${config.live}) must name a cluster color: one of ${config.clusters.map((c) => c.color).join(', ')}`,
      );
    }
    const liveName = clusterName(config, live);
    const eks = new DataAwsEksCluster(this, 'live-cluster', { name: liveName });
    const records = liveDnsRecords(config);
    const zoneId = config.dns.private.zoneId;
    // Adopting an existing setup: seed 001's api/eks records already exist in the zone, and
    // without allow_overwrite Route 53 refuses to create a record set that exists ("already exists",
    // the provider's default is false). These two names belong to the platform, so the first apply
    // takes them over in place of failing.
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/route53_record#allow_overwrite
    const allowOverwrite = true;

    // The endpoint is a URL (https://<id>.<suffix>.<region>.eks.amazonaws.com); a CNAME holds a host.
    this.api = new Route53Record(this, 'api', {
      zoneId,
      name: records.api,
      type: 'CNAME',
      ttl: LIVE_DNS_TTL,
      allowOverwrite,
      records: [Fn.trimprefix(eks.endpoint, 'https://')],
    });
    // The AWS provider adds the quotes a TXT value needs.
    this.clusterName = new Route53Record(this, 'cluster-name', {
      zoneId,
      name: records.clusterName,
      type: 'TXT',
      ttl: LIVE_DNS_TTL,
      allowOverwrite,
      records: [liveName],
    });
  }
}
