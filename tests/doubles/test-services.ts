/**
 * Small in-test implementations of the contract's services, for testing the RPC machinery
 * itself (routing, validation, events); the real services have their own tests in src/main.
 */
import type {
  AppInstanceStatus,
  YamlProgress,
  AppsService,
  BlueGreenPair,
  BlueGreenService,
  ClustersService,
  ClustersState,
  ConnectionStateChange,
  HostsService,
  HostSummary,
  LogBatch,
  LogStreamEnd,
  ForwardInfo,
  PodListChange,
  PodsService,
  LabLogBatch,
  LabsService,
  LabSummary,
  ProbeProgress,
  Services,
  Settings,
  SettingsState,
  TerminalExit,
  TerminalOutput,
  TerminalsService,
  TopologyDelta,
  TopologyService,
  TopologyStatus,
} from '../../src/shared/contract';
import { AppError } from '../../src/shared/errors';
import { Emitter } from '../../src/shared/event';
import { defaultSettings } from '../../src/shared/schemas/settings';

export function createTestServices(): Services & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  const changed = new Emitter<SettingsState>();
  let values: Settings = { ...defaultSettings };
  return {
    calls,
    system: {
      info: () =>
        Promise.resolve({
          appName: 'Nestlab',
          appVersion: '1.2.3',
          mode: 'browser',
          platform: 'linux',
          arch: 'x64',
          versions: { node: '20' },
          kubectl: { available: false, reason: 'not in this test' },
        }),
      kubectlShelf: () => Promise.resolve({ entries: [], problems: [] }),
      addKubectl: () => Promise.reject(new AppError('INVALID_INPUT', 'Not in this test.')),
      removeKubectl: () => Promise.resolve({ entries: [], problems: [] }),
    },
    settings: {
      get: () => Promise.resolve({ values }),
      update: (patch) => {
        calls.push(['update', patch]);
        if (patch.registryMirror === 'explode.example') {
          return Promise.reject(new AppError('FILE_IO', 'Disk full.', { path: '/x/settings.json' }));
        }
        if (patch.registryMirror === 'crash.example') return Promise.reject(new Error('unexpected crash'));
        values = { ...values, ...patch };
        changed.fire({ values });
        return Promise.resolve({ values });
      },
      reset: () => Promise.resolve({ values: { ...defaultSettings } }),
      onDidChange: changed.event,
    },
    clusters: emptyClusters(),
    terminals: noTerminals(),
    topology: noTopology(),
    hosts: noHosts(),
    apps: noApps(),
    labs: noLabs(),
    blueGreen: noBlueGreen(),
    pods: noPods(),
  };
}

/** A hosts domain with an empty inventory. */
function noHosts(): HostsService {
  const missing = () => Promise.reject(new AppError('NOT_FOUND', 'There are no hosts in this test.'));
  return {
    list: () => Promise.resolve([]),
    get: missing,
    add: missing,
    update: missing,
    remove: missing,
    testConnection: missing,
    scanHostKey: missing,
    acceptHostKey: missing,
    forgetHostKey: missing,
    resetHostKeyStore: () => Promise.resolve(),
    probe: missing,
    cancelProbe: () => Promise.resolve(),
    secretStorage: () => Promise.resolve({ backend: 'memory', persistent: false, canStore: true }),
    onDidChangeHosts: new Emitter<HostSummary[]>().event,
    onDidChangeConnection: new Emitter<ConnectionStateChange>().event,
    onDidProbeProgress: new Emitter<ProbeProgress>().event,
  };
}

/** An apps domain with an empty catalog and no contexts. */
function noApps(): AppsService {
  const missing = () => Promise.reject(new AppError('NOT_FOUND', 'There is no such context in this test.'));
  return {
    catalog: () => Promise.resolve({ apps: [], problems: [] }),
    preflight: missing,
    install: missing,
    list: missing,
    follow: missing,
    unfollow: () => Promise.resolve(),
    scale: missing,
    uninstall: missing,
    dryRunYaml: missing,
    applyYaml: missing,
    cancelYaml: () => Promise.resolve(),
    onDidChangeStatus: new Emitter<AppInstanceStatus>().event,
    onDidYamlProgress: new Emitter<YamlProgress>().event,
  };
}

/** A pods domain with no contexts: every call answers NOT_FOUND. */
function noPods(): PodsService {
  const missing = () => Promise.reject(new AppError('NOT_FOUND', 'There is no such context in this test.'));
  return {
    listPods: missing,
    followPods: missing,
    unfollowPods: () => Promise.resolve(),
    startLogs: missing,
    retryLogs: missing,
    stopLogs: () => Promise.resolve(),
    acknowledgeLogs: () => Promise.resolve(),
    events: missing,
    describe: missing,
    startForward: missing,
    listForwards: () => Promise.resolve([]),
    stopForward: () => Promise.resolve(),
    onDidLogs: new Emitter<LogBatch>().event,
    onDidEndLogs: new Emitter<LogStreamEnd>().event,
    onDidChangeForwards: new Emitter<ForwardInfo[]>().event,
    onDidChangePods: new Emitter<PodListChange>().event,
  };
}

/** A labs domain with no labs. */
function noLabs(): LabsService {
  const missing = () => Promise.reject(new AppError('NOT_FOUND', 'There are no labs in this test.'));
  return {
    list: () => Promise.resolve([]),
    get: missing,
    checkPlan: missing,
    proposeNetwork: missing,
    dryRun: missing,
    create: missing,
    resume: missing,
    cancel: () => Promise.resolve(),
    scale: missing,
    remove: missing,
    logs: missing,
    etcdSnapshots: missing,
    saveEtcdSnapshot: missing,
    restoreEtcdSnapshot: missing,
    labSnapshots: missing,
    saveLabSnapshot: missing,
    revertLabSnapshot: missing,
    deleteLabSnapshot: missing,
    upgrade: missing,
    machineAction: missing,
    machineStatuses: missing,
    setSelfHealing: missing,
    onDidChangeLab: new Emitter<LabSummary>().event,
    onDidAppendLog: new Emitter<LabLogBatch>().event,
    onDidRemoveLab: new Emitter<{ name: string }>().event,
  };
}

/** A blue/green domain with no pairs. */
function noBlueGreen(): BlueGreenService {
  const missing = () => Promise.reject(new AppError('NOT_FOUND', 'There are no blue/green pairs in this test.'));
  return {
    list: () => Promise.resolve([]),
    createGreen: missing,
    prepare: missing,
    switchTo: missing,
    remove: missing,
    onDidChangePair: new Emitter<BlueGreenPair>().event,
    onDidRemovePair: new Emitter<{ blue: string }>().event,
  };
}

/** A topology domain with no contexts to watch. */
function noTopology(): TopologyService {
  const missing = () => Promise.reject(new AppError('NOT_FOUND', 'There is no such context in this test.'));
  return {
    watch: missing,
    unwatch: () => Promise.resolve(),
    snapshot: missing,
    contexts: () => Promise.resolve([]),
    recentEvents: missing,
    onDidChange: new Emitter<TopologyDelta>().event,
    onDidChangeStatus: new Emitter<TopologyStatus>().event,
  };
}

/** A terminals domain that opens nothing. */
function noTerminals(): TerminalsService {
  const missing = () => Promise.reject(new AppError('NOT_FOUND', 'There are no terminals in this test.'));
  return {
    open: missing,
    list: () => Promise.resolve([]),
    write: missing,
    resize: missing,
    acknowledge: () => Promise.resolve(),
    resume: missing,
    close: () => Promise.resolve(),
    podContainers: missing,
    onDidOutput: new Emitter<TerminalOutput>().event,
    onDidExit: new Emitter<{ terminalId: string; exit: TerminalExit }>().event,
  };
}

/** A clusters domain with nothing imported: every per-context call answers NOT_FOUND. */
function emptyClusters(): ClustersService {
  const empty: ClustersState = { contexts: [] };
  const missing = () => Promise.reject(new AppError('NOT_FOUND', 'There is no such context in this test.'));
  return {
    list: () => Promise.resolve(empty),
    defaultKubeconfig: () => Promise.resolve({ paths: [], contexts: [] }),
    importKubeconfig: missing,
    remove: missing,
    setActive: missing,
    refresh: missing,
    refreshAll: () => Promise.resolve(empty),
    testConnection: missing,
    listNodes: missing,
    approvePlugin: missing,
    revokePlugin: missing,
    exportContext: missing,
    onDidChange: new Emitter<ClustersState>().event,
    allowExternalFiles: missing,
  };
}
