import type { App } from 'cdktf';
import { stackNames } from '../platform/names';
import type { PlatformConfig } from '../platform/schema';
import { NetworkStack } from './stacks/network-stack';

/** Adds the Terraform stacks of one environment to a cdktf App. */
export function addPlatformStacks(app: App, config: PlatformConfig): void {
  new NetworkStack(app, stackNames.network(config), { config });
}
