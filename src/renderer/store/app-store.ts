/**
 * One store, composed of slices. Actions live beside the state they change and are the only
 * code that calls the API; components select state and call actions. A domain's slice lives in
 * features/<domain>/; store/ keeps this composition and the cross-cutting slices (connection,
 * navigation, system).
 *
 * Events are wired the same way for every domain: a slice subscribes to its own domain's events
 * (deps.api.<domain>.onDidX) where it is created and hands them to its receive actions; streams
 * that only an open view needs (terminal output, log lines, port-forwards) subscribe on first use.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Api } from '../../shared/rpc/client';
import { createAppsSlice, type AppsSlice } from '../features/apps/apps-slice';
import { createBlueGreenSlice, type BlueGreenSlice } from '../features/labs/blue-green-slice';
import { createClustersSlice, type ClustersSlice } from '../features/clusters/clusters-slice';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createHostsSlice, type HostsSlice } from '../features/hosts/hosts-slice';
import { createEtcdSnapshotsSlice, type EtcdSnapshotsSlice } from '../features/labs/etcd-snapshots-slice';
import { createLabSnapshotsSlice, type LabSnapshotsSlice } from '../features/labs/lab-snapshots-slice';
import { createLabUpgradeSlice, type LabUpgradeSlice } from '../features/labs/lab-upgrade-slice';
import { createLabsSlice, type LabsSlice } from '../features/labs/labs-slice';
import { createMachineActionsSlice, type MachineActionsSlice } from '../features/labs/machine-actions-slice';
import { createNavigationSlice, type NavigationSlice } from './navigation-slice';
import { createLogsSlice, type LogsSlice } from '../features/pods/logs-slice';
import { createPodsSlice, type PodsSlice } from '../features/pods/pods-slice';
import { createSettingsSlice, type SettingsSlice } from '../features/settings/settings-slice';
import { createSystemSlice, type SystemSlice } from './system-slice';
import { createTopologySlice, type TopologySlice, type TopologySliceOptions } from '../features/topology/topology-slice';
import { createTerminalsSlice, type TerminalsSlice } from '../features/terminals/terminals-slice';

export type AppState = ConnectionSlice &
  NavigationSlice &
  SettingsSlice &
  SystemSlice &
  ClustersSlice &
  TopologySlice &
  TerminalsSlice &
  HostsSlice &
  AppsSlice &
  PodsSlice &
  LogsSlice &
  LabsSlice &
  EtcdSnapshotsSlice &
  LabSnapshotsSlice &
  LabUpgradeSlice &
  BlueGreenSlice &
  MachineActionsSlice;

export interface StoreDeps {
  api: Api;
  /** Tests give the map a layout engine and frames of their own (the default is elkjs in a worker). */
  topology?: TopologySliceOptions;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(deps: StoreDeps): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createConnectionSlice(...a),
    ...createNavigationSlice(...a),
    ...createSettingsSlice(deps)(...a),
    ...createSystemSlice(deps)(...a),
    ...createClustersSlice(deps)(...a),
    ...createTopologySlice(deps, deps.topology)(...a),
    ...createTerminalsSlice(deps)(...a),
    ...createHostsSlice(deps)(...a),
    ...createAppsSlice(deps)(...a),
    ...createPodsSlice(deps)(...a),
    ...createLogsSlice(deps)(...a),
    ...createLabsSlice(deps)(...a),
    ...createEtcdSnapshotsSlice(deps)(...a),
    ...createLabSnapshotsSlice(deps)(...a),
    ...createLabUpgradeSlice(deps)(...a),
    ...createBlueGreenSlice(deps)(...a),
    ...createMachineActionsSlice(deps)(...a),
  }));
}
