import { describe, expect, it } from 'vitest';
import { fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';

describe('cluster creator admin permissions', () => {
  it('gives the Terraform caller no admin entry when access entries exist', () => {
    const cluster = resourcesOf(
      stackOf(renderConfigs([fixtureConfig('dev')]), 'dev-blue'),
      'aws_eks_cluster',
    ).cluster;
    expect(cluster?.access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
  });

  it('keeps the creator admin in CONFIG_MAP mode, the only way in until aws-auth is applied', () => {
    const config = fixtureConfig('dev', (raw) => (raw.authenticationMode = 'CONFIG_MAP'));
    const cluster = resourcesOf(stackOf(renderConfigs([config]), 'dev-blue'), 'aws_eks_cluster').cluster;
    expect(cluster?.access_config).toEqual({
      authentication_mode: 'CONFIG_MAP',
      bootstrap_cluster_creator_admin_permissions: true,
    });
    expect(resourcesOf(stackOf(renderConfigs([config]), 'dev-blue'), 'aws_eks_access_entry')).toEqual({});
  });
});
