/**
 * Test harness: a real Kubernetes 1.20 control plane on loopback and a simulated-node agent in
 * place of kubelets. See docs/HARNESS.md.
 */
export { KUBERNETES_VERSION, cachedBinDir, ensureControlPlaneBinaries, findControlPlaneBinaries } from './binaries.js';
export type { ControlPlaneBinaries } from './binaries.js';
export { startApiFront } from './api-front.js';
export type { ApiFront, ApiFrontOptions, FrontRequest } from './api-front.js';
export { API_SERVER_SANS, signCertificate } from './certs.js';
export { startConnectProxy } from './connect-proxy.js';
export type { ConnectProxy, ConnectProxyOptions } from './connect-proxy.js';
export { startControlPlane } from './control-plane.js';
export { etcdCompact, etcdDelete } from './etcd-gateway.js';
export type { ControlPlane, ControlPlaneOptions } from './control-plane.js';
export { getFreePort, getFreePorts } from './free-port.js';
export { runKubectl } from './kubectl.js';
export { spawnKubectl } from './kubectl-process.js';
export type { KubectlProcess } from './kubectl-process.js';
export type { KubectlResult } from './kubectl.js';
export { KubeApiError, KubeRestClient, isStatus } from './kube-rest.js';
export { controlPlaneMemory, fillCluster, scaleControlPlaneOptions } from './pod-fill.js';
export type { FillClusterOptions, FillCounts, FilledCluster } from './pod-fill.js';
export { planPodFill } from './pod-fill-plan.js';
export type { FailingPod, PlannedApp, PodFillOptions, PodFillPlan } from './pod-fill-plan.js';
export { processExists } from './processes.js';
export { kubeconfigProvider, renderKubeconfig, writeKubeconfig } from './kubeconfig.js';
export type { ClusterAccess, KubeconfigNames } from './kubeconfig.js';
export type { ContainerFilter, ContainerRef } from './kubelet/kubelet-pods.js';
export type { ExecRecord } from './kubelet/exec-sessions.js';
export type { PortForwardRecord } from './kubelet/port-forwarding.js';
export type { SimulatedKubelets, SimulatedKubeletsOptions } from './kubelet/simulated-kubelets.js';
export { LOAD_BALANCER_PREFIX } from './simulated-load-balancers.js';
export { SIMULATED_LABEL, WINDOWS_BUILD } from './simulated-node-objects.js';
export type { SimulatedNodeInfo, SimulatedNodeOs, SimulatedNodeSpec } from './simulated-node-objects.js';
export { labNodeSpecs, startSimulatedNodes } from './simulated-nodes.js';
export type { LabShape, SimulatedNodes, SimulatedNodesOptions } from './simulated-nodes.js';
export { delay, waitFor } from './wait-for.js';
export type { WaitForOptions } from './wait-for.js';
