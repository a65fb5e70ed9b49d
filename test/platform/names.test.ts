import { describe, expect, it } from 'vitest';
import { clusterName, irsaRole, managedNodeGroups, nodeLabels, stackNames } from '../../platform/names';
import { fixtureConfig } from '../helpers';

describe('naming module', () => {
  const prod = fixtureConfig('prod');
  const blue = prod.clusters[0]!;

  it('names a cluster <environment>-<color>', () => {
    expect(clusterName(prod, blue)).toBe('prod-blue');
    expect(stackNames.network(prod)).toBe('prod-network');
  });

  it('derives IRSA role name, ARN and trusted subject from config alone', () => {
    expect(irsaRole(prod, blue, 'cluster-autoscaler')).toEqual({
      roleName: 'prod-blue-cluster-autoscaler',
      roleArn: 'arn:aws:iam::111111111111:role/prod-blue-cluster-autoscaler',
      namespace: 'kube-system',
      serviceAccount: 'cluster-autoscaler',
      subject: 'system:serviceaccount:kube-system:cluster-autoscaler',
    });
  });

  it('labels nodes with their lifecycle and purpose, config labels winning', () => {
    const [essential, spot] = blue.nodeGroups;
    expect(nodeLabels(essential!)).toEqual({ lifecycle: 'essential', 'node-purpose': 'core' });
    expect(nodeLabels(spot!)).toEqual({ lifecycle: 'spot', 'node-purpose': 'spot' });
  });

  it('splits a perAz node group into one managed node group per zone', () => {
    const essential = managedNodeGroups(prod, blue, blue.nodeGroups[0]!);
    expect(essential.map((g) => g.key)).toEqual(['essential-a', 'essential-b', 'essential-d']);
    // <cluster>-<key>-<digest of the attributes that make Terraform replace the group>.
    expect(essential.map((g) => g.name)).toEqual([
      expect.stringMatching(/^prod-blue-essential-a-[0-9a-f]{8}$/),
      expect.stringMatching(/^prod-blue-essential-b-[0-9a-f]{8}$/),
      expect.stringMatching(/^prod-blue-essential-d-[0-9a-f]{8}$/),
    ]);
    expect(managedNodeGroups(prod, blue, blue.nodeGroups[2]!)).toEqual([
      {
        name: expect.stringMatching(/^prod-blue-stateful-[0-9a-f]{8}$/),
        key: 'stateful',
        zones: ['ca-central-1a'],
      },
    ]);
  });
});
