/**
 * Rules `image-pinned`, `container-resources` and `run-as-non-root` (DESIGN §8): every container
 * runs a pinned image, declares CPU and memory requests and a memory limit, and cannot run as
 * root. An object may carry an exception (POLICY_EXCEPTION_PREFIX + rule id) with its reason; the
 * check then reports the exception instead of a violation.
 */
import { pinnedImageProblem } from '../../platform/formats';
import { POLICY_EXCEPTION_PREFIX } from '../../platform/names';
import type { RenderedObject } from '../render';
import { allContainers, podTemplates } from './pod-templates';
import type { Violation } from './violation';

export function containerPolicyViolations(objects: readonly RenderedObject[]): Violation[] {
  const violations: Violation[] = [];
  for (const pod of podTemplates(objects)) {
    const file = pod.source.path;
    const report = (rule: string, message: string) => {
      const reason = pod.annotations[`${POLICY_EXCEPTION_PREFIX}${rule}`];
      violations.push({ rule, file, message, ...(reason === undefined ? {} : { exception: reason }) });
    };
    for (const { container, field } of allContainers(pod.spec)) {
      const where = `${pod.at}.${field} (${container.name})`;
      const imageProblem = pinnedImageProblem(container.image ?? '');
      if (imageProblem !== undefined)
        report('image-pinned', `${where}: image ${JSON.stringify(container.image ?? '')} ${imageProblem}`);
      const requests = container.resources?.requests ?? {};
      const limits = container.resources?.limits ?? {};
      const missing = [
        ...(requests.cpu === undefined ? ['requests.cpu'] : []),
        ...(requests.memory === undefined ? ['requests.memory'] : []),
        ...(limits.memory === undefined ? ['limits.memory'] : []),
      ];
      if (missing.length > 0)
        report('container-resources', `${where}: missing resources.${missing.join(', resources.')}`);
      const nonRoot = container.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot;
      const user = container.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
      if (nonRoot !== true || user === 0) {
        report(
          'run-as-non-root',
          `${where}: must set securityContext.runAsNonRoot: true (pod or container) and no runAsUser 0`,
        );
      }
    }
  }
  return violations;
}
