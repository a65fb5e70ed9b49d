import type { AppConfig } from '../../platform/schema';
import { selectorLabels } from './selector-labels';

/** Label naming the team that owns an app, on its namespace and every object of it. */
export const TEAM_LABEL = 'team';
/** The app a workload belongs to: the app itself, or the app a custom workload extends. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** The owning team of an app: `team` from config, else the app name. */
export function appTeam(app: AppConfig): string {
  return app.team ?? app.name;
}

/**
 * The labels of every object of a workload `name` belonging to `app`: its selector label, the app
 * it is part of and the owning team (for cost reports and for finding the owner of a pod).
 */
export function appLabels(app: AppConfig, name: string = app.name): Record<string, string> {
  return { ...selectorLabels(name), [PART_OF_LABEL]: app.name, [TEAM_LABEL]: appTeam(app) };
}
