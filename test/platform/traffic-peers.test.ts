import { describe, expect, it } from 'vitest';
import { fixtureConfig } from '../helpers';

/**
 * The error lines of the prod fixture with `edit` applied to its first app (web), each checked to
 * name the file and given without it.
 */
function problems(edit: (web: Record<string, any>, raw: Record<string, any>) => void): string[] {
  try {
    fixtureConfig('prod', (raw) => edit(raw.apps[0], raw));
  } catch (error) {
    return (error as Error).message.split('\n').map((line) => {
      expect(line).toMatch(/^\S*prod\.yaml: /);
      return line.slice(line.indexOf('.yaml: ') + '.yaml: '.length);
    });
  }
  return [];
}

describe('apps[].ingressFrom and apps[].egressTo', () => {
  it('default to nobody else in and, for egress, to no restriction', () => {
    const web = fixtureConfig('prod').apps.find((a) => a.name === 'web');
    expect(web?.ingressFrom).toEqual([]);
    expect(web?.egressTo).toBeUndefined();
  });

  it('accept an app namespace, namespace labels and a CIDR, with or without ports', () => {
    expect(
      problems((web) => {
        web.ingressFrom = [
          { namespace: 'payments', ports: [8080, 9090] },
          { namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          { cidr: '192.168.0.0/16' },
        ];
        web.egressTo = [];
      }),
    ).toEqual([]);
  });

  it('rejects an entry that sets no kind or two kinds of peer, naming what it got', () => {
    expect(
      problems((web) => {
        web.ingressFrom = [{ ports: [80] }, { namespace: 'payments', cidr: '10.0.0.0/8' }];
      }),
    ).toEqual([
      'apps[0].ingressFrom[0]: must set exactly one of namespace, namespaceLabels, cidr, got none',
      'apps[0].ingressFrom[1]: must set exactly one of namespace, namespaceLabels, cidr, got namespace, cidr',
    ]);
  });

  it('rejects a namespace that is not an app of the environment, listing the allowed ones', () => {
    expect(
      problems((web) => {
        web.ingressFrom = [{ namespace: 'batch' }];
        web.egressTo = [{ namespace: 'kube-system', ports: [443] }];
      }),
    ).toEqual([
      'apps[0].ingressFrom[0].namespace: must be the namespace of an app of this environment (select other namespaces with namespaceLabels): one of payments, web, got batch',
      'apps[0].egressTo[0].namespace: must be the namespace of an app of this environment (select other namespaces with namespaceLabels): one of payments, web, got kube-system',
    ]);
  });

  it("rejects the app's own namespace, which is always allowed", () => {
    expect(
      problems((web) => {
        web.ingressFrom = [{ namespace: 'web' }];
      }),
    ).toEqual([
      "apps[0].ingressFrom[0].namespace: is the app's own namespace, which is always allowed, got web",
    ]);
  });

  it('rejects invalid CIDRs, label keys, ports and more ports than the VPC CNI allows per rule', () => {
    expect(
      problems((web) => {
        web.ingressFrom = [
          { cidr: '10.0.0.1/8' },
          { cidr: 'everywhere' },
          { namespaceLabels: { 'bad key': 'x' } },
          { cidr: '10.0.0.0/8', ports: [0] },
        ];
        web.egressTo = [{ cidr: '0.0.0.0/0', ports: Array.from({ length: 25 }, (_, i) => 1000 + i) }];
      }),
    ).toEqual([
      'apps[0].ingressFrom[0].cidr: has host bits set: the network address of /8 is 10.0.0.0/8, got "10.0.0.1/8"',
      'apps[0].ingressFrom[1].cidr: must be an IPv4 CIDR such as 10.20.0.0/16, got "everywhere"',
      "apps[0].ingressFrom[2].namespaceLabels.bad key: must be a Kubernetes label key: an optional DNS prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
      'apps[0].ingressFrom[3].ports[0]: must be >= 1, got 0',
      'apps[0].egressTo[0].ports: must list at most 24 ports (VPC CNI network policy limit per rule), got a list of 25',
    ]);
  });
});
