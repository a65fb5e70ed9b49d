import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecrRepositoryPolicy } from '../../infra/constructs/node-role';
import { fixtureConfig, ROOT } from '../helpers';

const ECR = { account: '222222222222', region: 'ca-central-1' };

describe('the ECR repository policy of cross-account pulls', () => {
  const dev = fixtureConfig('dev');
  const prod = fixtureConfig('prod');

  it('allows both colors of every pulling environment, by account principal and aws:PrincipalArn', () => {
    const policy = ecrRepositoryPolicy([dev, prod], ECR);
    expect(policy?.Statement).toEqual([
      {
        Sid: 'EksNodesPull',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::333333333333:root'] },
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': [
              'arn:aws:iam::111111111111:role/prod-blue-node',
              'arn:aws:iam::111111111111:role/prod-green-node',
              'arn:aws:iam::333333333333:role/dev-blue-node',
            ],
          },
        },
      },
    ]);
  });

  it('names exactly the node roles the cluster stacks create', () => {
    const policy = ecrRepositoryPolicy([prod], ECR);
    expect(policy?.Statement[0]?.Principal).toEqual({ AWS: 'arn:aws:iam::111111111111:root' });
    expect(policy?.Statement[0]?.Condition.ArnEquals['aws:PrincipalArn']).toEqual(
      prod.clusters.map((c) => `arn:aws:iam::111111111111:role/prod-${c.color}-node`),
    );
  });

  it('is not needed when the environments pull from their own account', () => {
    const own = fixtureConfig('prod', (raw) => {
      raw.ecr.account = raw.account;
    });
    expect(ecrRepositoryPolicy([own], { account: own.account, region: own.region })).toBeUndefined();
    expect(ecrRepositoryPolicy([prod], { account: '222222222222', region: 'eu-west-1' })).toBeUndefined();
  });

  it('is given in docs/infrastructure.md exactly as computed for the example environments', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'infrastructure.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Cross-account ECR pulls'));
    const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(JSON.parse(block ?? 'null')).toEqual(ecrRepositoryPolicy([dev, prod], ECR));
  });
});
