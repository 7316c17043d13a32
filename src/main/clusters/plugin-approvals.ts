/**
 * A context's credential plugin and whether the user approved it for this context and its server.
 * Approvals are kept per context in clusters.json and go with the context when it is removed.
 */
import type { StoreFile } from './cluster-store';
import { endpointOf } from './credential-binding';
import { approvalKeyOf, pluginOf, type PluginCommand } from './credential-plugins';

export interface PluginState {
  plugin: PluginCommand;
  approvalKey: string;
  approved: boolean;
}

/** The plugin of a stored context, or undefined when its user runs none. */
export function pluginStateOf(file: StoreFile, context: string): PluginState | undefined {
  const stored = file.contexts[context];
  if (stored === undefined) return undefined;
  const user = stored.entry.user === '' ? undefined : file.users[stored.entry.user];
  const cluster = file.clusters[stored.entry.cluster];
  const plugin = user === undefined ? undefined : pluginOf(user.entry);
  if (plugin === undefined || cluster === undefined) return undefined;
  const envRevision = user?.entry.exec?.envRevision;
  const approvalKey = approvalKeyOf(plugin, {
    context,
    endpoint: endpointOf(cluster.entry),
    ...(envRevision === undefined ? {} : { envRevision }),
  });
  return { plugin, approvalKey, approved: file.approvals[context]?.approvalKey === approvalKey };
}
