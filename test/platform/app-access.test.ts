import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { appAccessGrants, DEFAULT_APP_ACCESS } from '../../platform/app-access';
import { ConfigError, parseConfig } from '../../platform/load';
import { fixtureConfig, fixtureText } from '../helpers';

type Raw = Record<string, any>;

/** The problems parseConfig reports for the prod fixture after `edit`, one formatted line each. */
function problems(edit: (raw: Raw) => void): string[] {
  const raw = parse(fixtureText('prod')) as Raw;
  edit(raw);
  try {
    parseConfig(stringify(raw), 'prod.yaml', 'prod');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

const appNamespaces = 'web, payments';

describe('appAccess', () => {
  it('defaults to readwrite editing and debugmode debugging every app namespace', () => {
    const prod = fixtureConfig('prod');
    expect(prod.appAccess).toBeUndefined();
    expect(DEFAULT_APP_ACCESS).toEqual([
      { group: 'readwrite', roles: ['edit'] },
      { group: 'debugmode', roles: ['debug'] },
    ]);
    for (const app of prod.apps) {
      expect(appAccessGrants(prod, app), app.name).toEqual([
        { role: 'edit', clusterRole: 'edit', groups: ['readwrite'] },
        { role: 'debug', clusterRole: 'debugmode', groups: ['debugmode'] },
      ]);
    }
  });

  it('gives each app namespace the groups of the entries that name it or name none', () => {
    const prod = fixtureConfig('prod', (raw) => {
      raw.appAccess = [
        { group: 'readwrite', roles: ['edit', 'debug'], namespaces: ['payments'] },
        { group: 'debugmode', roles: ['debug'] },
      ];
    });
    const grants = (name: string) =>
      appAccessGrants(prod, prod.apps.find((a) => a.name === name) ?? prod.apps[0]!);
    expect(grants('web')).toEqual([{ role: 'debug', clusterRole: 'debugmode', groups: ['debugmode'] }]);
    expect(grants('ledger')).toEqual([
      { role: 'edit', clusterRole: 'edit', groups: ['readwrite'] },
      { role: 'debug', clusterRole: 'debugmode', groups: ['readwrite', 'debugmode'] },
    ]);
  });

  it('gives nobody write or debug rights with an empty list', () => {
    const prod = fixtureConfig('prod', (raw) => {
      raw.appAccess = [];
    });
    expect(prod.apps.map((app) => appAccessGrants(prod, app))).toEqual([[], []]);
  });

  it('rejects a namespace that is not an app namespace, naming why for system ones', () => {
    expect(
      problems((raw) => {
        raw.appAccess = [
          {
            group: 'readwrite',
            roles: ['edit'],
            namespaces: ['web', 'kube-system', 'argocd', 'overprovisioning'],
          },
        ];
      }),
    ).toEqual([
      `prod.yaml: appAccess[0].namespaces[1]: must be the namespace of an app of this environment (${appNamespaces}): kube-system belongs to Kubernetes, got "kube-system"`,
      `prod.yaml: appAccess[0].namespaces[2]: must be the namespace of an app of this environment (${appNamespaces}): argocd belongs to Argo CD, whose controller is cluster admin, got "argocd"`,
      `prod.yaml: appAccess[0].namespaces[3]: must be the namespace of an app of this environment (${appNamespaces}), got "overprovisioning"`,
    ]);
  });

  it('rejects a group no access entry maps, a system: group, and a group listed twice', () => {
    expect(
      problems((raw) => {
        raw.appAccess = [
          { group: 'readwirte', roles: ['edit'] },
          { group: 'system:authenticated', roles: ['debug'] },
          { group: 'debugmode', roles: ['debug'] },
          { group: 'debugmode', roles: ['edit'] },
        ];
      }),
    ).toEqual([
      'prod.yaml: appAccess[0].group: must be a group an access entry maps (readwrite, readonly, debugmode): nobody else is in it, got "readwirte"',
      'prod.yaml: appAccess[1].group: must not be a system: group: system:masters is cluster admin already, and the others (system:authenticated, system:serviceaccounts…) hold more than people, got "system:authenticated"',
      'prod.yaml: appAccess[3].group: is listed twice (also appAccess[2]): give one entry all its roles and namespaces, got "debugmode"',
    ]);
  });

  it('rejects an unknown role, an empty role list and an empty namespace list', () => {
    expect(
      problems((raw) => {
        raw.appAccess = [
          { group: 'readwrite', roles: ['admin'] },
          { group: 'debugmode', roles: [], namespaces: [] },
        ];
      }),
    ).toEqual([
      'prod.yaml: appAccess[0].roles[0]: must be one of edit, debug, got "admin"',
      'prod.yaml: appAccess[1].roles: must list at least one role (edit or debug), got a list of 0',
      'prod.yaml: appAccess[1].namespaces: must list at least one namespace; omit namespaces for every app namespace, got a list of 0',
    ]);
  });
});
