/** What LabsService.upgrade is asked for. */
export interface UpgradeRequest {
  /** x.y.z of the next minor version (kubeadm upgrades one minor version at a time), e.g. 1.31.4 from 1.30.8. */
  kubernetesVersion: string;
  /** How long each node's drain may take before the upgrade stops naming the pods still there (default 120 s, at most 3600). */
  drainTimeoutSeconds?: number;
}
