import { beforeAll, describe, expect, it } from 'vitest';
import type { Rendering } from '../../cli/render';
import { ALL_RULES, runRules } from '../../cli/rules/all-rules';
import { distinctProbesRule } from '../../cli/rules/distinct-probes';
import { formatViolation } from '../../cli/rules/violation';
import { POLICY_EXCEPTION_PREFIX } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import { fixtureConfig, renderConfigs } from '../helpers';
import { violationsOf } from './rule-violations';

let prod: PlatformConfig;
let base: Rendering;

beforeAll(() => {
  prod = fixtureConfig('prod');
  base = renderConfigs([prod]);
});

/** A deep copy of the fixture rendering whose prod-blue web Deployment is changed by `edit`. */
function withWeb(edit: (deployment: any) => void): Rendering {
  const objects = structuredClone(base.objects) as any[];
  const web = objects.find(
    (o) => o.cluster === 'prod-blue' && o.object.kind === 'Deployment' && o.object.metadata.name === 'web',
  );
  edit(web.object);
  return { ...base, objects };
}

describe('rule distinct-probes', () => {
  it('passes the fixture, whose apps and add-ons have both probes', () => {
    expect(violationsOf(distinctProbesRule, { objects: base.objects })).toEqual([]);
    const probed = base.objects.filter((o) =>
      ((o.object as any).spec?.template?.spec?.containers ?? []).some(
        (c: any) => c.livenessProbe !== undefined && c.readinessProbe !== undefined,
      ),
    );
    expect(probed.length).toBeGreaterThan(4);
  });

  it('fails a container whose liveness probe is its readiness probe, naming the file and field', () => {
    const r = withWeb((d) => {
      const c = d.spec.template.spec.containers[0];
      c.livenessProbe = { ...c.livenessProbe, tcpSocket: undefined, httpGet: c.readinessProbe.httpGet };
    });
    const violations = violationsOf(distinctProbesRule, { objects: r.objects });
    expect(violations.map(formatViolation)).toEqual([
      '[distinct-probes] dist/prod-blue/apps-web/deployment.apps_web_web.yaml: spec.template.spec.containers[0] (web): livenessProbe and readinessProbe both use httpGet HTTP /health/ready on port 8080; liveness must check only that the process answers (another path, or tcpSocket), or a failing dependency restarts every pod',
    ]);
    // npm run check runs it.
    expect(
      runRules(ALL_RULES, { rendering: r, configs: [prod] }).filter((v) => v.rule === 'distinct-probes'),
    ).toHaveLength(1);
  });

  it('fails the same handler written once with the port name and once with its number', () => {
    const r = withWeb((d) => {
      const c = d.spec.template.spec.containers[0];
      c.readinessProbe = { ...c.readinessProbe, httpGet: undefined, tcpSocket: { port: 8080 } };
    });
    expect(violationsOf(distinctProbesRule, { objects: r.objects }).map((v) => v.message)).toEqual([
      'spec.template.spec.containers[0] (web): livenessProbe and readinessProbe both use tcpSocket port 8080; liveness must check only that the process answers (another path, or tcpSocket), or a failing dependency restarts every pod',
    ]);
  });

  it('fails identical exec commands and passes different ones', () => {
    const exec = (command: string[]) => ({ exec: { command }, periodSeconds: 10 });
    const same = withWeb((d) => {
      const c = d.spec.template.spec.containers[0];
      c.readinessProbe = exec(['/bin/check', 'ready']);
      c.livenessProbe = exec(['/bin/check', 'ready']);
    });
    expect(violationsOf(distinctProbesRule, { objects: same.objects })).toHaveLength(1);
    const different = withWeb((d) => {
      const c = d.spec.template.spec.containers[0];
      c.readinessProbe = exec(['/bin/check', 'ready']);
      c.livenessProbe = exec(['/bin/check', 'alive']);
    });
    expect(violationsOf(distinctProbesRule, { objects: different.objects })).toEqual([]);
  });

  it('reports an exception recorded on the object instead of failing', () => {
    const r = withWeb((d) => {
      const c = d.spec.template.spec.containers[0];
      c.livenessProbe = c.readinessProbe;
      d.metadata.annotations = {
        [`${POLICY_EXCEPTION_PREFIX}distinct-probes`]: 'readiness checks nothing else',
      };
    });
    expect(violationsOf(distinctProbesRule, { objects: r.objects }).map((v) => v.exception)).toEqual([
      'readiness checks nothing else',
    ]);
  });
});
