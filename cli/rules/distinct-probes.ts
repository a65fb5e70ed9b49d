/**
 * Rule `distinct-probes` (issue 13): a container with both a liveness and a readiness probe
 * gives them different handlers. Readiness may fail while a dependency is down (the pod only
 * stops getting traffic); liveness restarts the container, so a liveness probe on the readiness
 * handler restarts every pod of a workload when one shared dependency fails — the cascading
 * failure https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 * warns of. Handlers are compared after resolving named ports to the container's port numbers,
 * so `port: http` and `port: 8080` on the same port count as the same handler.
 */
import { allContainers, podTemplates } from './pod-templates';
import { type Finding, objectAnnotations, type Rule } from './rule';

type Port = number | string;
interface ProbeHandler {
  httpGet?: { path?: string; port?: Port; host?: string; scheme?: string };
  tcpSocket?: { port?: Port; host?: string };
  exec?: { command?: string[] };
  grpc?: { port?: Port; service?: string };
}
interface ProbedContainer {
  name: string;
  ports?: { name?: string; containerPort?: number }[];
  livenessProbe?: ProbeHandler;
  readinessProbe?: ProbeHandler;
}

/** A readable description of what a probe does, equal for two probes exactly when they do the same. */
export function probeHandler(probe: ProbeHandler, container: ProbedContainer): string {
  const port = (p: Port | undefined) => {
    const byName =
      typeof p === 'string' ? container.ports?.find((q) => q.name === p)?.containerPort : undefined;
    return String(byName ?? p ?? '');
  };
  if (probe.httpGet !== undefined) {
    const { path = '/', host = '', scheme = 'HTTP' } = probe.httpGet;
    return `httpGet ${scheme} ${host}${path} on port ${port(probe.httpGet.port)}`;
  }
  if (probe.tcpSocket !== undefined)
    return `tcpSocket ${probe.tcpSocket.host ?? ''}port ${port(probe.tcpSocket.port)}`;
  if (probe.exec !== undefined) return `exec ${JSON.stringify(probe.exec.command ?? [])}`;
  if (probe.grpc !== undefined)
    return `grpc port ${port(probe.grpc.port)} service ${probe.grpc.service ?? ''}`;
  return 'no handler';
}

export const distinctProbesRule: Rule<'distinct-probes'> = {
  id: 'distinct-probes',
  summary:
    'A container with both a liveness and a readiness probe gives them different handlers (named ports resolved): readiness may fail while a dependency is down, but a liveness probe on the same handler then restarts every pod of the workload at once.',
  check: ({ rendering }) => {
    const findings: Finding[] = [];
    for (const pod of podTemplates(rendering.objects)) {
      for (const { container, field } of allContainers(pod.spec)) {
        const c = container as ProbedContainer;
        if (c.livenessProbe === undefined || c.readinessProbe === undefined) continue;
        const handler = probeHandler(c.livenessProbe, c);
        if (handler !== probeHandler(c.readinessProbe, c)) continue;
        findings.push({
          file: pod.source.path,
          message: `${pod.at}.${field} (${c.name}): livenessProbe and readinessProbe both use ${handler}; liveness must check only that the process answers (another path, or tcpSocket), or a failing dependency restarts every pod`,
          subject: objectAnnotations(pod.source.object),
        });
      }
    }
    return findings;
  },
};
