import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

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
