import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

/**
 * The upstream IAM policy the statements below are taken from, at the pinned controller version.
 */
export const AWS_LOAD_BALANCER_CONTROLLER_POLICY_SOURCE =
  'https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/install/iam_policy.json';

/**
 * The tag the controller puts on every load balancer, target group and security group it creates,
 * with its `--cluster-name` as value (upstream's conditions test only that the tag exists; here it
 * must name this cluster, so the blue cluster's controller cannot touch the green one's).
 */
export const LOAD_BALANCER_CONTROLLER_CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/** What the controller reads: upstream's read statement, unchanged (Describe and Get support no resource scoping). */
export const LOAD_BALANCER_CONTROLLER_READ_ACTIONS = [
  'ec2:DescribeAccountAttributes',
  'ec2:DescribeAddresses',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeVpcs',
  'ec2:DescribeVpcPeeringConnections',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeInstances',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeTags',
  'ec2:GetCoipPoolUsage',
  'ec2:DescribeCoipPools',
  'ec2:GetSecurityGroupsForVpc',
  'ec2:DescribeIpamPools',
  'ec2:DescribeRouteTables',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeListenerCertificates',
  'elasticloadbalancing:DescribeSSLPolicies',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTrustStores',
  'elasticloadbalancing:DescribeListenerAttributes',
  'elasticloadbalancing:DescribeCapacityReservation',
] as const;

/**
 * Upstream's third statement without its WAF and Shield actions (waf-regional:*, wafv2:*,
 * shield:*): the controller runs with `--enable-waf=false --enable-wafv2=false
 * --enable-shield=false` (manifests/charts/aws-load-balancer-controller-chart.ts), so it never
 * calls them, and the WAF/Shield Ingress annotations are not offered. What is left only reads.
 */
export const LOAD_BALANCER_CONTROLLER_CERTIFICATE_ACTIONS = [
  'cognito-idp:DescribeUserPoolClient',
  'acm:ListCertificates',
  'acm:DescribeCertificate',
  'iam:ListServerCertificates',
  'iam:GetServerCertificate',
] as const;

/**
 * Upstream's statements for the changes the controller makes to what it created (the tag names
 * this cluster), unchanged but for that condition.
 */
export const LOAD_BALANCER_CONTROLLER_MODIFY_ACTIONS = [
  'elasticloadbalancing:ModifyLoadBalancerAttributes',
  'elasticloadbalancing:SetIpAddressType',
  'elasticloadbalancing:SetSecurityGroups',
  'elasticloadbalancing:SetSubnets',
  'elasticloadbalancing:DeleteLoadBalancer',
  'elasticloadbalancing:ModifyTargetGroup',
  'elasticloadbalancing:ModifyTargetGroupAttributes',
  'elasticloadbalancing:DeleteTargetGroup',
  'elasticloadbalancing:ModifyListenerAttributes',
  'elasticloadbalancing:ModifyCapacityReservation',
  'elasticloadbalancing:ModifyIpPools',
] as const;

export interface LoadBalancerControllerPolicyProps {
  readonly region: string;
  readonly account: string;
  /** `<environment>-<color>`: the controller's `--cluster-name`, the value of its ownership tag. */
  readonly clusterName: string;
}

/**
 * The statements of the AWS Load Balancer Controller's IRSA role: the upstream policy for v3.5.0
 * (AWS_LOAD_BALANCER_CONTROLLER_POLICY_SOURCE), statement by statement, tightened where the
 * controller's own behaviour allows it:
 * - every resource in this account and region (`arn:aws:ec2:<region>:<account>:…`,
 *   `arn:aws:elasticloadbalancing:<region>:<account>:…`) instead of `*` or `arn:aws:…:*:*:…`: the
 *   controller only manages its cluster's region (`--aws-region`);
 * - the ownership conditions test that `elbv2.k8s.aws/cluster` equals this cluster's name
 *   (upstream: that the tag exists, i.e. any cluster's controller);
 * - no WAF or Shield actions (LOAD_BALANCER_CONTROLLER_CERTIFICATE_ACTIONS);
 * - the service-linked role statement names that one role.
 * Left as upstream has them, with region and account only: ingress rules on the targets' security
 * groups (the node and pod ENIs' group, which the controller did not create and cannot find by
 * tag before EKS creates it), listener and rule changes, target registration (their resources
 * carry no ownership tag the controller sets in every version).
 */
export function awsLoadBalancerControllerStatements(
  props: LoadBalancerControllerPolicyProps,
): DataAwsIamPolicyDocumentStatement[] {
  const { region, account, clusterName } = props;
  const ec2 = `arn:aws:ec2:${region}:${account}`;
  const elb = `arn:aws:elasticloadbalancing:${region}:${account}`;
  const securityGroups = `${ec2}:security-group/*`;
  const ownLoadBalancers = [
    `${elb}:targetgroup/*/*`,
    `${elb}:loadbalancer/net/*/*`,
    `${elb}:loadbalancer/app/*/*`,
  ];
  const tag = LOAD_BALANCER_CONTROLLER_CLUSTER_TAG;
  const requestTagged = { test: 'StringEquals', variable: `aws:RequestTag/${tag}`, values: [clusterName] };
  const resourceTagged = { test: 'StringEquals', variable: `aws:ResourceTag/${tag}`, values: [clusterName] };
  // Tag changes that leave the ownership tag alone (upstream: `aws:RequestTag/<tag>` is Null).
  const ownershipTagUntouched = { test: 'Null', variable: `aws:RequestTag/${tag}`, values: ['true'] };
  return [
    {
      sid: 'CreateElbServiceLinkedRole',
      effect: 'Allow',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [
        `arn:aws:iam::${account}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
      ],
      condition: [
        {
          test: 'StringEquals',
          variable: 'iam:AWSServiceName',
          values: ['elasticloadbalancing.amazonaws.com'],
        },
      ],
    },
    {
      sid: 'Describe',
      effect: 'Allow',
      actions: [...LOAD_BALANCER_CONTROLLER_READ_ACTIONS],
      resources: ['*'],
    },
    {
      sid: 'ReadCertificates',
      effect: 'Allow',
      actions: [...LOAD_BALANCER_CONTROLLER_CERTIFICATE_ACTIONS],
      resources: ['*'],
    },
    {
      sid: 'TargetSecurityGroupRules',
      effect: 'Allow',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      resources: [securityGroups],
    },
    {
      sid: 'CreateSecurityGroups',
      effect: 'Allow',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [securityGroups, `${ec2}:vpc/*`],
    },
    {
      sid: 'TagNewSecurityGroups',
      effect: 'Allow',
      actions: ['ec2:CreateTags'],
      resources: [securityGroups],
      condition: [
        { test: 'StringEquals', variable: 'ec2:CreateAction', values: ['CreateSecurityGroup'] },
        requestTagged,
      ],
    },
    {
      sid: 'TagOwnSecurityGroups',
      effect: 'Allow',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [securityGroups],
      condition: [ownershipTagUntouched, resourceTagged],
    },
    {
      sid: 'ChangeOwnSecurityGroups',
      effect: 'Allow',
      actions: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:DeleteSecurityGroup',
      ],
      resources: [securityGroups],
      condition: [resourceTagged],
    },
    {
      sid: 'CreateOwnLoadBalancers',
      effect: 'Allow',
      actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      resources: [`${elb}:*`],
      condition: [requestTagged],
    },
    {
      sid: 'Listeners',
      effect: 'Allow',
      actions: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
      ],
      resources: [`${elb}:*`],
    },
    {
      sid: 'TagOwnLoadBalancers',
      effect: 'Allow',
      actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: ownLoadBalancers,
      condition: [ownershipTagUntouched, resourceTagged],
    },
    {
      sid: 'TagListeners',
      effect: 'Allow',
      actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: [
        `${elb}:listener/net/*/*/*`,
        `${elb}:listener/app/*/*/*`,
        `${elb}:listener-rule/net/*/*/*`,
        `${elb}:listener-rule/app/*/*/*`,
      ],
    },
    {
      sid: 'ChangeOwnLoadBalancers',
      effect: 'Allow',
      actions: [...LOAD_BALANCER_CONTROLLER_MODIFY_ACTIONS],
      resources: [`${elb}:*`],
      condition: [resourceTagged],
    },
    {
      sid: 'TagOnCreate',
      effect: 'Allow',
      actions: ['elasticloadbalancing:AddTags'],
      resources: ownLoadBalancers,
      condition: [
        {
          test: 'StringEquals',
          variable: 'elasticloadbalancing:CreateAction',
          values: ['CreateTargetGroup', 'CreateLoadBalancer'],
        },
        requestTagged,
      ],
    },
    {
      sid: 'RegisterTargets',
      effect: 'Allow',
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: [`${elb}:targetgroup/*/*`],
    },
    {
      sid: 'ChangeListenersAndRules',
      effect: 'Allow',
      actions: [
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
      ],
      resources: [`${elb}:*`],
    },
  ];
}
