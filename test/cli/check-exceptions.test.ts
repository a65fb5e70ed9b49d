/**
 * `npm run check` end to end on an excepted object: nothing in the platform needs an exception, so
 * the render of the dev fixture is changed where the manifests are built (the web app's image is
 * pinned to `latest`, with an exception annotation), and synth and check run on it as a user runs
 * them.
 */
import { describe, expect, it, vi } from 'vitest';
import { exceptionKey } from '../../cli/rules/rule';
import { fixtureText } from '../helpers';
import { configDir, runCli, tempDir } from './run-cli';

/** The reason the web Deployment's exception annotation carries; undefined: no change to the render. */
const exception = vi.hoisted(() => ({ reason: undefined as string | undefined }));

vi.mock('../../manifests/cluster-manifests', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../manifests/cluster-manifests')>();
  return {
    ...actual,
    clusterManifests: (...args: Parameters<typeof actual.clusterManifests>) =>
      actual.clusterManifests(...args).map((manifest) => {
        const o = manifest.object as Record<string, any>;
        if (exception.reason === undefined || o.kind !== 'Deployment' || o.metadata.name !== 'web') {
          return manifest;
        }
        const object = structuredClone(o);
        const container = object.spec.template.spec.containers[0];
        container.image = container.image.replace(/:[^:/]+$/, ':latest');
        object.metadata.annotations = {
          ...object.metadata.annotations,
          [exceptionKey('image-pinned')]: exception.reason,
        };
        return { ...manifest, object };
      }),
  };
});

/** synth, then check, of the dev fixture with the web Deployment excepted for `reason`. */
function synthAndCheck(reason: string) {
  exception.reason = reason;
  try {
    const config = configDir({ 'dev.yaml': fixtureText('dev') });
    const dist = tempDir('dist');
    const args = ['--config', config, '--dist', dist];
    const synth = runCli(['synth', ...args, '--tf-out', tempDir('tfout')]);
    expect(synth.code, synth.stderr).toBe(0);
    return runCli(['check', ...args]);
  } finally {
    exception.reason = undefined;
  }
}

const FINDING =
  'spec.template.spec.containers[0] (web): image "222222222222.dkr.ecr.ca-central-1.amazonaws.com/web:latest" must not use the tag latest: pin a version or a digest';

describe('check on an object that records an exception', () => {
  it('prints the finding as an exception with its reason and passes', () => {
    const check = synthAndCheck('the vendor publishes only latest; reviewed in CHG-1234');
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    const lines = check.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('check: exception'))).toEqual([
      `check: exception [image-pinned] dist/dev-blue/apps-web/deployment.apps_web_web.yaml: ${FINDING} (exception: the vendor publishes only latest; reviewed in CHG-1234)`,
    ]);
    expect(lines.at(-1)).toMatch(/^check: ok: /);
  });

  it('fails when the exception has an empty reason, and says so', () => {
    const check = synthAndCheck('');
    expect(check.code).toBe(1);
    expect(check.stdout).not.toContain('check: exception');
    expect(check.stderr.split('\n')).toEqual([
      `check: [image-pinned] dist/dev-blue/apps-web/deployment.apps_web_web.yaml: ${FINDING} (the exception policy.eks-platform.io/exception-image-pinned has no reason, so it does not count: write why the rule does not apply)`,
    ]);
  });
});
