/**
 * The one service map. Every process boundary (Electron IPC, WebSocket, in-memory) carries
 * calls to these domains and nothing else.
 */
import { appsNames, type AppsService } from './apps';
import { blueGreenNames, type BlueGreenService } from './blue-green';
import { clustersNames, type ClustersService } from './clusters';
import { hostsNames, type HostsService } from './hosts';
import { labsNames, type LabsService } from './labs';
import type { DomainNames } from './names';
import { podsNames, type PodsService } from './pods';
import { settingsNames, type SettingsService } from './settings';
import { systemNames, type SystemService } from './system';
import { terminalsNames, type TerminalsService } from './terminals';
import { topologyNames, type TopologyService } from './topology';

export interface Services {
  system: SystemService;
  settings: SettingsService;
  clusters: ClustersService;
  terminals: TerminalsService;
  topology: TopologyService;
  hosts: HostsService;
  apps: AppsService;
  pods: PodsService;
  labs: LabsService;
  blueGreen: BlueGreenService;
}

export type DomainName = keyof Services;

export const contract: { readonly [D in DomainName]: DomainNames<Services[D]> } = {
  system: systemNames,
  settings: settingsNames,
  clusters: clustersNames,
  terminals: terminalsNames,
  topology: topologyNames,
  hosts: hostsNames,
  apps: appsNames,
  pods: podsNames,
  labs: labsNames,
  blueGreen: blueGreenNames,
};

export type { EventName, MethodName } from './names';
export * from './apps';
export * from './blue-green';
export * from './clusters';
export * from './hosts';
export * from './pods';
export * from './labs';
export * from './lab-snapshots';
export * from './lab-upgrade';
export * from './settings';
export * from './system';
export * from './terminals';
export * from './topology';

/** True when `domain` names a domain of the contract (own keys only: no prototype names). */
export function isDomainName(domain: unknown): domain is DomainName {
  return typeof domain === 'string' && Object.hasOwn(contract, domain);
}

export function isMethodName(domain: DomainName, method: unknown): boolean {
  return typeof method === 'string' && (contract[domain].methods as readonly string[]).includes(method);
}

export function isEventName(domain: DomainName, event: unknown): boolean {
  return typeof event === 'string' && (contract[domain].events as readonly string[]).includes(event);
}
