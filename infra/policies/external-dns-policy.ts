import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { PlatformConfig } from '../../platform/schema';

/**
 * The external-dns policy: record changes only in the environment's hosted zones, listing
 * anywhere (external-dns lists zones to find the ones it may manage; list actions support no
 * zone scoping). https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/#iam-policy
 */
export function externalDnsStatements(hostedZoneIds: readonly string[]): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: 'ChangeRecordsInOwnZones',
      effect: 'Allow',
      actions: ['route53:ChangeResourceRecordSets'],
      resources: [...new Set(hostedZoneIds)].map((id) => `arn:aws:route53:::hostedzone/${id}`),
    },
    {
      sid: 'ListZonesAndRecords',
      effect: 'Allow',
      actions: ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource'],
      resources: ['*'],
    },
  ];
}

/**
 * The hosted zones external-dns may write to: the environment's private and public zones. The
 * per-cluster names (`eks-<color>.<zone>`, seed 001) are records inside those same zones.
 */
export function hostedZoneIds(config: Pick<PlatformConfig, 'dns'>): string[] {
  return [config.dns.private.zoneId, config.dns.public.zoneId];
}
