import type { PlatformConfig } from '../../platform/schema';
import type { Rendering } from '../render';
import { containerPolicyViolations } from './container-policy';
import { kubernetesSchemaViolations } from './kubernetes-schema';
import { objectScopeViolations } from './object-scope';
import type { Violation } from './violation';

/** Every validation of the rendered output (DESIGN §8), in a stable order. */
export function ruleViolations(rendering: Rendering, _configs: readonly PlatformConfig[]): Violation[] {
  return [
    ...kubernetesSchemaViolations(rendering.objects),
    ...objectScopeViolations(rendering.objects),
    ...containerPolicyViolations(rendering.objects),
  ];
}
