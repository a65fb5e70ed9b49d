/**
 * The identity cross-check in both directions (issue 15, item 4): `irsa` (every annotated
 * ServiceAccount's role exists and trusts exactly it) and `irsa-role-users` (every IRSA role of a
 * stack is used by exactly the service account it trusts: an annotated ServiceAccount, the one EKS
 * creates for a managed add-on, or the one a Helm chart creates when its Application receives the
 * role: a `charts:` entry's, or a catalog add-on's installed with Helm).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rendering } from '../../cli/render';
import { irsaRoleUsersRule } from '../../cli/rules/irsa-role-users';
import { irsaRule } from '../../cli/rules/irsa-trust';
import { ADDONS, type AddonDefinition } from '../../platform/addons';
import { IAM_ROLE_ARN_PLACEHOLDER } from '../../platform/helm-charts';
import { IRSA_ROLE_ANNOTATION } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import { findObject, fixtureConfig, renderConfigs, resourcesOf, stackOf } from '../helpers';
import { violationsOf } from './rule-violations';

type Json = Record<string, any>;

/** A chart with an IAM identity: its values hand the role's ARN to the chart's ServiceAccount. */
const REPORTS = {
  name: 'reports',
  repoURL: 'oci://ghcr.io/stefanprodan/charts',
  chart: 'podinfo',
  version: '6.9.2',
  namespace: 'reports',
  clusters: ['blue'],
  iam: {
    serviceAccount: 'reports-reader',
    statements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::prod-reports/*'] }],
  },
  values: {
    serviceAccount: {
      enabled: true,
      name: 'reports-reader',
      annotations: { [IRSA_ROLE_ANNOTATION]: IAM_ROLE_ARN_PLACEHOLDER },
    },
  },
};

let prod: PlatformConfig;
let base: Rendering;

beforeAll(() => {
  prod = fixtureConfig('prod', (raw) => {
    raw.charts = [REPORTS];
    // An add-on its upstream Helm chart installs: its role goes to its Application's values.
    raw.addons = { ...raw.addons, externalSecrets: { enabled: true } };
  });
  base = renderConfigs([prod]);
});

/** A deep copy of the render, changed by `edit`. */
function broken(edit: (r: Rendering) => void): Rendering {
  const copy: Rendering = { ...structuredClone({ objects: base.objects, stacks: base.stacks }), files: [] };
  edit(copy);
  return copy;
}

const trustDocument = (r: Rendering, stack: string, role: string): Json =>
  (stackOf(r, stack).json as Json).data.aws_iam_policy_document[`${role}-trust`];
/** A Terraform resource of prod-blue. */
function resource(r: Rendering, type: string, name: string): Json {
  const block = resourcesOf(stackOf(r, 'prod-blue'), type)[name];
  if (block === undefined) throw new Error(`no ${type}.${name} in prod-blue`);
  return block;
}
const application = (r: Rendering, name: string): Json =>
  findObject(r, 'prod-blue', 'Application', name, 'argocd');

const messages = (rule: typeof irsaRule | typeof irsaRoleUsersRule, r: Rendering) =>
  violationsOf(rule, { objects: r.objects, stacks: r.stacks, configs: [prod] }).map((v) => v.message);

describe('identity cross-check', () => {
  it('passes the fixture in both directions, over every kind of role user: ServiceAccount, EKS managed add-on, chart', () => {
    expect(messages(irsaRule, base)).toEqual([]);
    expect(messages(irsaRoleUsersRule, base)).toEqual([]);
    // What the pass covers on prod-blue: the roles of its annotated ServiceAccounts, the EBS CSI
    // driver's role given to its aws_eks_addon, and the chart's role.
    const roles = Object.keys(resourcesOf(stackOf(base, 'prod-blue'), 'aws_iam_role'));
    expect(roles).toEqual(
      expect.arrayContaining([
        'irsa-cluster-autoscaler',
        'irsa-external-dns',
        'irsa-ebs-csi-driver',
        'irsa-chart-reports',
      ]),
    );
    expect(
      resourcesOf(stackOf(base, 'prod-blue'), 'aws_eks_addon')['addon-aws-ebs-csi-driver'],
    ).toMatchObject({
      service_account_role_arn: `\${aws_iam_role.irsa-ebs-csi-driver.arn}`,
    });
    expect(
      application(base, 'charts-reports').spec.source.helm.valuesObject.serviceAccount.annotations,
    ).toEqual({
      [IRSA_ROLE_ANNOTATION]: 'arn:aws:iam::111111111111:role/prod-blue-chart-reports',
    });
  });

  it('names the Application of every add-on the catalog installs with Helm, so its role users can be told', () => {
    const helm = Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>).filter(
      (a) => a.installedBy === 'helm',
    );
    expect(helm.length).toBeGreaterThan(0);
    for (const addon of helm) {
      expect(addon.helmApplication, addon.component).toMatch(/^[a-z0-9-]+$/);
      expect(addon.serviceAccount, addon.component).not.toBeNull();
      expect(application(base, addon.helmApplication as string).spec.destination.namespace).toBe(
        addon.namespace,
      );
    }
  });

  it("fails a Helm-installed add-on's role whose Application installs into another namespace than the role trusts", () => {
    const r = broken((x) => {
      application(x, 'external-secrets-operator').spec.destination.namespace = 'kube-system';
    });
    expect(messages(irsaRoleUsersRule, r)).toEqual([
      expect.stringMatching(
        /aws_iam_role\.irsa-external-secrets \(prod-blue-external-secrets\) trusts external-secrets\/external-secrets, but is given to the chart of Application external-secrets-operator .*add-on external-secrets\), whose service account is kube-system\/external-secrets/,
      ),
    ]);
  });

  it('names every EKS managed add-on of the catalog by its EKS add-on name, so its role users can be told', () => {
    const managed = Object.values(ADDONS as Readonly<Record<string, AddonDefinition>>).filter(
      (a) => a.installedBy === 'eks-managed-addon',
    );
    expect(managed.length).toBeGreaterThan(0);
    for (const addon of managed) {
      expect(addon.eksAddonName, addon.component).toMatch(/^[a-z0-9-]+$/);
      expect(addon.serviceAccount, addon.component).not.toBeNull();
    }
  });

  describe('rule irsa (ServiceAccount to role)', () => {
    it('fails a ServiceAccount given the role of an EKS managed add-on, which trusts another account; irsa-role-users agrees', () => {
      const r = broken((x) => {
        const account = findObject(x, 'prod-blue', 'ServiceAccount', 'external-dns', 'kube-system');
        account.metadata.annotations[IRSA_ROLE_ANNOTATION] =
          'arn:aws:iam::111111111111:role/prod-blue-ebs-csi-driver';
      });
      expect(messages(irsaRule, r)).toEqual([
        'role prod-blue-ebs-csi-driver must trust exactly sub system:serviceaccount:kube-system:external-dns, trusts ["system:serviceaccount:kube-system:ebs-csi-controller-sa"]',
      ]);
      expect(messages(irsaRoleUsersRule, r)).toEqual([
        'IRSA role aws_iam_role.irsa-ebs-csi-driver (prod-blue-ebs-csi-driver) trusts kube-system/ebs-csi-controller-sa, but is given to ServiceAccount kube-system/external-dns (prod-blue/external-dns/serviceaccount_kube-system_external-dns.yaml), whose service account is kube-system/external-dns',
        "IRSA role aws_iam_role.irsa-external-dns (prod-blue-external-dns) trusts kube-system/external-dns, but nothing uses it: no ServiceAccount of prod-blue is annotated with it, no aws_eks_addon of the stack is given it, no Application's Helm values carry its ARN",
      ]);
    });
  });

  describe('rule irsa-role-users (role to service account)', () => {
    it('fails a role no ServiceAccount uses any more', () => {
      const r = broken((x) => {
        const account = findObject(x, 'prod-green', 'ServiceAccount', 'cluster-autoscaler', 'kube-system');
        delete account.metadata.annotations[IRSA_ROLE_ANNOTATION];
      });
      expect(messages(irsaRoleUsersRule, r)).toEqual([
        "IRSA role aws_iam_role.irsa-cluster-autoscaler (prod-green-cluster-autoscaler) trusts kube-system/cluster-autoscaler, but nothing uses it: no ServiceAccount of prod-green is annotated with it, no aws_eks_addon of the stack is given it, no Application's Helm values carry its ARN",
      ]);
      // The other direction has nothing to say: no ServiceAccount names a missing role.
      expect(messages(irsaRule, r)).toEqual([]);
    });

    it('fails a role whose trust names another service account than the one that uses it', () => {
      const r = broken((x) => {
        trustDocument(x, 'prod-blue', 'irsa-cluster-autoscaler').statement[0].condition[0].values = [
          'system:serviceaccount:kube-system:default',
        ];
      });
      expect(messages(irsaRoleUsersRule, r)).toEqual([
        'IRSA role aws_iam_role.irsa-cluster-autoscaler (prod-blue-cluster-autoscaler) trusts kube-system/default, but is given to ServiceAccount kube-system/cluster-autoscaler (prod-blue/cluster-autoscaler/serviceaccount_kube-system_cluster-autoscaler.yaml), whose service account is kube-system/cluster-autoscaler',
      ]);
    });

    it('fails a role that trusts two service accounts, or none by its exact name', () => {
      const r = broken((x) => {
        const condition = trustDocument(x, 'prod-blue', 'irsa-external-dns').statement[0].condition[0];
        condition.values = [...condition.values, 'system:serviceaccount:kube-system:default'];
        trustDocument(x, 'prod-green', 'irsa-external-dns').statement[0].condition[0].test = 'StringLike';
      });
      expect(messages(irsaRoleUsersRule, r)).toEqual([
        'IRSA role aws_iam_role.irsa-external-dns (prod-blue-external-dns) must trust exactly one service account (StringEquals on sub = system:serviceaccount:<namespace>:<name>), trusts ["system:serviceaccount:kube-system:external-dns","system:serviceaccount:kube-system:default"]',
        'IRSA role aws_iam_role.irsa-external-dns (prod-green-external-dns) must trust exactly one service account (StringEquals on sub = system:serviceaccount:<namespace>:<name>), trusts []',
      ]);
    });

    it('fails the role of an EKS managed add-on that the add-on is no longer given, or that trusts another account than the catalog records', () => {
      const unused = broken((x) => {
        delete resource(x, 'aws_eks_addon', 'addon-aws-ebs-csi-driver').service_account_role_arn;
      });
      expect(messages(irsaRoleUsersRule, unused)).toEqual([
        "IRSA role aws_iam_role.irsa-ebs-csi-driver (prod-blue-ebs-csi-driver) trusts kube-system/ebs-csi-controller-sa, but nothing uses it: no ServiceAccount of prod-blue is annotated with it, no aws_eks_addon of the stack is given it, no Application's Helm values carry its ARN",
      ]);
      const other = broken((x) => {
        trustDocument(x, 'prod-blue', 'irsa-ebs-csi-driver').statement[0].condition[0].values = [
          'system:serviceaccount:kube-system:ebs-csi-node-sa',
        ];
      });
      expect(messages(irsaRoleUsersRule, other)).toEqual([
        'IRSA role aws_iam_role.irsa-ebs-csi-driver (prod-blue-ebs-csi-driver) trusts kube-system/ebs-csi-node-sa, but is given to aws_eks_addon.addon-aws-ebs-csi-driver (aws-ebs-csi-driver, add-on ebs-csi-driver), whose service account is kube-system/ebs-csi-controller-sa',
      ]);
    });

    it('fails a role given to an EKS add-on the catalog does not list: which service account EKS creates is unknown', () => {
      const r = broken((x) => {
        resource(x, 'aws_eks_addon', 'addon-vpc-cni').service_account_role_arn =
          `\${aws_iam_role.irsa-ebs-csi-driver.arn}`;
      });
      expect(messages(irsaRoleUsersRule, r)).toEqual([
        'IRSA role aws_iam_role.irsa-ebs-csi-driver (prod-blue-ebs-csi-driver) trusts kube-system/ebs-csi-controller-sa, but is given to aws_eks_addon.addon-vpc-cni (vpc-cni), which the add-on catalog (platform/addons.ts) does not list as an EKS managed add-on: which service account uses it is unknown',
      ]);
    });

    it("fails a chart's role whose Application installs into another namespace than the role trusts, or no longer passes the ARN", () => {
      const moved = broken((x) => {
        application(x, 'charts-reports').spec.destination.namespace = 'elsewhere';
      });
      expect(messages(irsaRoleUsersRule, moved)).toEqual([
        'IRSA role aws_iam_role.irsa-chart-reports (prod-blue-chart-reports) trusts reports/reports-reader, but is given to the chart of Application charts-reports (prod-blue/argocd/application.argoproj.io_argocd_charts-reports.yaml, charts: reports), whose service account is elsewhere/reports-reader',
      ]);
      const dropped = broken((x) => {
        delete application(x, 'charts-reports').spec.source.helm.valuesObject;
      });
      expect(messages(irsaRoleUsersRule, dropped)).toEqual([
        "IRSA role aws_iam_role.irsa-chart-reports (prod-blue-chart-reports) trusts reports/reports-reader, but nothing uses it: no ServiceAccount of prod-blue is annotated with it, no aws_eks_addon of the stack is given it, no Application's Helm values carry its ARN",
      ]);
    });

    it('reads a trust policy written as literal JSON as well as a policy document', () => {
      const r = broken((x) => {
        const role = resource(x, 'aws_iam_role', 'irsa-cluster-autoscaler');
        role.assume_role_policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRoleWithWebIdentity',
              Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/x' },
              Condition: {
                StringEquals: {
                  'x:sub': 'system:serviceaccount:kube-system:nobody',
                  'x:aud': 'sts.amazonaws.com',
                },
              },
            },
          ],
        });
      });
      expect(messages(irsaRoleUsersRule, r)).toEqual([
        expect.stringMatching(
          /^IRSA role aws_iam_role\.irsa-cluster-autoscaler \(prod-blue-cluster-autoscaler\) trusts kube-system\/nobody, but is given to ServiceAccount kube-system\/cluster-autoscaler /,
        ),
      ]);
    });
  });
});
