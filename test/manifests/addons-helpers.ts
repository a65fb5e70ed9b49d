/**
 * Shared by the add-on tests: render configs through the real pipeline and pick the add-on objects.
 */
import type { RenderedObject, Rendering } from '../../cli/render';
import { ADDON_COMPONENTS } from '../../platform/names';
import type { PlatformConfig } from '../../platform/schema';
import { renderConfigs } from '../helpers';

const ADDONS: readonly string[] = Object.values(ADDON_COMPONENTS);

/** Renders configs; every test file renders each config once. */
export function render(...configs: PlatformConfig[]): Rendering {
  return renderConfigs(configs);
}

/** The objects of the add-on components of a rendering. */
export function addonObjects(rendering: Rendering): RenderedObject[] {
  return rendering.objects.filter((o) => ADDONS.includes(o.component));
}

/** The containers of every pod template among the objects. */
export function podTemplates(objects: readonly RenderedObject[]) {
  return objects
    .filter((o) => o.object.kind === 'Deployment')
    .map((o) => ({ path: o.path, spec: (o.object as Record<string, any>).spec.template.spec }));
}

/** The `--flag=value` arguments of a container, as a map of flag to every value given. */
export function flags(args: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const arg of args) {
    const at = arg.indexOf('=');
    const [flag, value] = at < 0 ? [arg, ''] : [arg.slice(0, at), arg.slice(at + 1)];
    map.set(flag, [...(map.get(flag) ?? []), value]);
  }
  return map;
}

/** Every leaf path (`a.b[0].c`) where two JSON values differ, with both values. */
export function differences(a: unknown, b: unknown, at = ''): { path: string; from: unknown; to: unknown }[] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b)) return [{ path: at, from: a, to: b }];
    const keys = Array.isArray(a)
      ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()].map(String)
      : [...new Set([...Object.keys(a), ...Object.keys(b as object)])];
    return keys.flatMap((key) =>
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        Array.isArray(a) ? `${at}[${key}]` : at === '' ? key : `${at}.${key}`,
      ),
    );
  }
  return Object.is(a, b) ? [] : [{ path: at, from: a, to: b }];
}

interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

/**
 * RBAC rules flattened to one `group/resource[#name]:verb` string per permission, sorted, so two
 * rule lists that grant the same permissions compare equal however they are grouped.
 */
export function permissions(rules: readonly PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? ['']) {
      for (const resource of rule.resources ?? []) {
        for (const name of rule.resourceNames ?? ['']) {
          for (const verb of rule.verbs)
            out.add(`${group}/${resource}${name === '' ? '' : `#${name}`}:${verb}`);
        }
      }
    }
  }
  return [...out].sort();
}
