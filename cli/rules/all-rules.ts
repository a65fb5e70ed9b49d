import type { PlatformConfig } from '../../platform/schema';
import type { Rendering } from '../render';
import { addonAvailabilityViolations } from './addon-availability';
import { autoscalerVersionViolations, liveExternalDnsViolations } from './cluster-versions';
import { containerPolicyViolations } from './container-policy';
import { distinctProbeViolations } from './distinct-probes';
import { iamWildcardViolations } from './iam-wildcards';
import { irsaViolations } from './irsa-trust';
import { kubernetesSchemaViolations } from './kubernetes-schema';
import { objectScopeViolations } from './object-scope';
import { releaseVersionViolations } from './release-version';
import { schedulingViolations } from './scheduling';
import { standardSupportViolations } from './standard-support';
import { terraformReferenceViolations } from './terraform-references';
import { terraformSecurityViolations } from './terraform-security';
import type { Violation } from './violation';

/** Every validation of the rendered output (DESIGN §8), in a stable order. */
export function ruleViolations(rendering: Rendering, configs: readonly PlatformConfig[]): Violation[] {
  const { objects, stacks } = rendering;
  return [
    ...kubernetesSchemaViolations(objects),
    ...objectScopeViolations(objects),
    ...containerPolicyViolations(objects),
    ...distinctProbeViolations(objects),
    ...irsaViolations(objects, stacks, configs),
    ...schedulingViolations(objects, stacks),
    ...addonAvailabilityViolations(objects),
    ...autoscalerVersionViolations(objects, stacks),
    ...liveExternalDnsViolations(objects, configs),
    ...terraformReferenceViolations(stacks),
    ...iamWildcardViolations(stacks),
    ...terraformSecurityViolations(stacks),
    ...releaseVersionViolations(stacks),
    ...standardSupportViolations(stacks, configs),
  ];
}
