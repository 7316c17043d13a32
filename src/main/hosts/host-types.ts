/** The hosts domain's plain types live in the contract; re-exported here for the main-process modules. */
export type {
  ConnectionStateChange,
  HostConnectionTestResult as ConnectionTestResult,
  HostAuthInput,
  HostInput,
  HostPatch,
  HostSummary,
  ProbeProgress,
} from '../../shared/contract/hosts';
