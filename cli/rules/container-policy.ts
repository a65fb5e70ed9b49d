/**
 * Rules `image-pinned`, `container-resources` and `run-as-non-root` (DESIGN §8): every container
 * (init containers included) of every pod template runs a pinned image, declares CPU and memory
 * requests and a memory limit, and cannot run as root.
 */
import { pinnedImageProblem } from '../../platform/formats';
import { allContainers, type Container, type PodTemplate, podTemplates } from './pod-templates';
import { type Finding, objectAnnotations, type Rule, type RuleInput } from './rule';

/** One finding per container of every pod template for which `problem` says what is wrong. */
function containerFindings(
  { rendering }: RuleInput,
  problem: (container: Container, pod: PodTemplate) => string | undefined,
): Finding[] {
  const findings: Finding[] = [];
  for (const pod of podTemplates(rendering.objects)) {
    for (const { container, field } of allContainers(pod.spec)) {
      const wrong = problem(container, pod);
      if (wrong === undefined) continue;
      findings.push({
        file: pod.source.path,
        message: `${pod.at}.${field} (${container.name}): ${wrong}`,
        subject: objectAnnotations(pod.source.object),
      });
    }
  }
  return findings;
}

export const imagePinnedRule: Rule<'image-pinned'> = {
  id: 'image-pinned',
  summary:
    'Every container image names a tag other than `latest`, or a digest: the rendered manifests say which version runs, and a new version is a reviewed change of dist/.',
  check: (input) =>
    containerFindings(input, (container) => {
      const problem = pinnedImageProblem(container.image ?? '');
      return problem === undefined ? undefined : `image ${JSON.stringify(container.image ?? '')} ${problem}`;
    }),
};

export const containerResourcesRule: Rule<'container-resources'> = {
  id: 'container-resources',
  summary:
    'Every container requests CPU and memory and limits memory: the scheduler and cluster-autoscaler place and size nodes from requests, and a container without a memory limit can starve its neighbours on the node.',
  check: (input) =>
    containerFindings(input, (container) => {
      const requests = container.resources?.requests ?? {};
      const limits = container.resources?.limits ?? {};
      const missing = [
        ...(requests.cpu === undefined ? ['requests.cpu'] : []),
        ...(requests.memory === undefined ? ['requests.memory'] : []),
        ...(limits.memory === undefined ? ['limits.memory'] : []),
      ];
      return missing.length === 0 ? undefined : `missing resources.${missing.join(', resources.')}`;
    }),
};

export const runAsNonRootRule: Rule<'run-as-non-root'> = {
  id: 'run-as-non-root',
  summary:
    'Every container sets `runAsNonRoot: true` (on itself or its pod) and no `runAsUser: 0`: a process that breaks out of its container is then not root on the node.',
  check: (input) =>
    containerFindings(input, (container, pod) => {
      const nonRoot = container.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot;
      const user = container.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
      return nonRoot !== true || user === 0
        ? 'must set securityContext.runAsNonRoot: true (pod or container) and no runAsUser 0'
        : undefined;
    }),
};
