/**
 * Kubernetes resource quantities
 * (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/), reduced to
 * the forms a platform config uses: CPU in cores or millicores, memory in bytes with a suffix.
 */

const CPU = /^(\d+(?:\.\d{1,3})?|\d+m)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

const MEMORY_FACTORS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

export const CPU_FORMAT = 'a CPU quantity such as 250m, 1 or 1.5';
export const MEMORY_FORMAT = 'a memory quantity such as 256Mi, 2Gi or 512M';

/** Millicores of a CPU quantity, or undefined when the text is not one. */
export function parseCpu(text: string): number | undefined {
  if (!CPU.test(text)) return undefined;
  return text.endsWith('m') ? Number(text.slice(0, -1)) : Math.round(Number(text) * 1000);
}

/** Bytes of a memory quantity, or undefined when the text is not one. */
export function parseMemory(text: string): number | undefined {
  const match = MEMORY.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (MEMORY_FACTORS[match[2] ?? ''] ?? 1);
}
