import type { Rendering } from '../render';
import { kubernetesSchemaViolations } from './kubernetes-schema';
import type { Violation } from './violation';

/** Every validation of the rendered output (DESIGN §8), in a stable order. */
export function ruleViolations(rendering: Rendering): Violation[] {
  return [...kubernetesSchemaViolations(rendering.objects)];
}
