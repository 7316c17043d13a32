/**
 * A lab plan checked before anything runs: its fields and version, the host (inventory, storage
 * path, capacity from a probe), the networks the host and its other labs use, the host ports
 * other labs' endpoints take, and, for existing machines, each machine's host and capacity.
 */
import type { HostSummary } from '../../shared/contract/hosts';
import type { CapacityLine, LabMachine, LabPlan, NetworkProposal, PlanCheck, PlanProblem, TakenRange } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { endpointService, freeHostPort } from '../../shared/lab-endpoint';
import type { PreflightReport } from '../hosts/preflight/preflight-types';
import { capacityLines } from './capacity';
import { hostIdOf } from './existing-driver';
import { existingInventory, type LabHosts } from './host-access';
import type { LabRecord } from './lab-store';
import { storagePathProblem } from './libvirt-driver';
import { machinesOf, normalizePlan } from './machines';
import { allocateNetwork, labRanges, mergeTaken, overlapProblems } from './network-allocation';
import { readHostNetworks } from './host-networks';
import { existingHostProblems, validatePlan } from './plan-validation';

export class PlanChecks {
  /** `otherLabs`: every saved lab (the plan's own is left out by name). */
  constructor(
    private readonly hosts: LabHosts,
    private readonly otherLabs: () => Promise<LabRecord[]>,
  ) {}

  /** The plan checked against its host: fields, networks, host ports, storage, capacity (the host is probed). */
  async check(input: LabPlan): Promise<PlanCheck> {
    const plan = normalizePlan(input);
    const problems: PlanProblem[] = [];
    let host: HostSummary | undefined;
    try {
      host = await this.hosts.get(plan.hostId);
    } catch (error) {
      problems.push({ field: 'hostId', message: AppError.from(error).message, fix: 'Choose a host from the inventory.' });
    }
    problems.push(...validatePlan(plan, host?.os), ...(await this.hostPortProblems(plan)));
    const storage = plan.driver === 'libvirt' && host !== undefined ? storagePathProblem(host.storagePath) : undefined;
    if (storage !== undefined)
      problems.push({ field: 'hostId', message: storage, fix: 'Edit the host in the Hosts view, then check the plan again.' });
    if (plan.driver === 'existing') {
      const existing = await this.existing(plan, machinesOf(plan));
      problems.push(...existing.problems);
      return { ok: problems.length === 0 && existing.capacity.every((line) => line.ok), problems, capacity: existing.capacity };
    }
    if (host === undefined) return { ok: false, problems, capacity: [] };
    const { taken, warning } = await this.takenOnHost(host, plan.name);
    if (warning !== undefined) {
      problems.push({ field: 'network.cidr', message: warning, fix: 'Check the connection to the host, then check the plan again.' });
    }
    problems.push(...overlapProblems(plan, taken));
    let report: PreflightReport;
    try {
      report = await this.hosts.probe(plan.hostId);
    } catch (error) {
      problems.push({
        field: 'hostId',
        message: `${host.name} could not be probed: ${AppError.from(error).message}`,
        fix: 'Check the host in the Hosts view (connection, host key, sudo), then check the plan again.',
      });
      return { ok: false, problems, capacity: [] };
    }
    const capacity = capacityLines(machinesOf(plan), report.capacity, { reserve: true });
    return { ok: problems.length === 0 && capacity.every((line) => line.ok), problems, capacity, hostCapacity: report.capacity };
  }
  async proposeNetwork(hostId: string, labName?: string): Promise<NetworkProposal> {
    const host = await this.hosts.get(hostId);
    const { taken, warning } = await this.takenOnHost(host, labName);
    let allocation;
    try {
      allocation = allocateNetwork(taken);
    } catch (error) {
      throw new AppError('INVALID_ARGUMENT', `${host.name}: ${(error as Error).message}`, {
        fix: 'Delete a lab on this host, or type a network, pod and service range of your own.',
      });
    }
    return { hostId, ...allocation, taken, ...(warning === undefined ? {} : { warning }) };
  }
  /**
   * What the host's own networks and its other labs use. The host's networks are read over SSH;
   * when that fails the answer says so (`warning`) and holds the labs' ranges only.
   */
  private async takenOnHost(host: HostSummary, labName?: string): Promise<{ taken: TakenRange[]; warning?: string }> {
    const labs = (await this.otherLabs())
      .filter((record) => record.plan.hostId === host.id && record.plan.name !== labName)
      .flatMap((record) => labRanges(record.plan));
    try {
      return { taken: mergeTaken(await readHostNetworks(this.hosts, host), labs) };
    } catch (error) {
      return { taken: labs, warning: `The networks of ${host.name} could not be read: ${AppError.from(error).message}` };
    }
  }
  /** Host ports (HAProxy's, for kubeconfigs from outside) of the other labs on the plan's host. */
  private async hostPortsInUse(plan: LabPlan): Promise<number[]> {
    return (await this.otherLabs().catch(() => []))
      .filter((record) => record.plan.hostId === plan.hostId && record.plan.name !== plan.name)
      .flatMap((record) => (record.plan.apiEndpoint.hostPort === undefined ? [] : [record.plan.apiEndpoint.hostPort]));
  }
  /**
   * A libvirt or Hyper-V lab whose endpoint Nestlab serves gets the lowest host port no other lab
   * of its host uses (HAProxy's, or a NetNat static mapping's), unless the plan names one.
   */
  async withHostPort(plan: LabPlan): Promise<LabPlan> {
    const service = endpointService(plan);
    if (service.kind !== 'nestlab' || plan.apiEndpoint.hostPort !== undefined) return plan;
    return { ...plan, apiEndpoint: { ...plan.apiEndpoint, hostPort: freeHostPort(await this.hostPortsInUse(plan)) } };
  }
  private async hostPortProblems(plan: LabPlan): Promise<PlanProblem[]> {
    const port = endpointService(plan).hostPort;
    if (port === undefined || !(await this.hostPortsInUse(plan)).includes(port)) return [];
    return [
      {
        field: 'apiEndpoint.hostPort',
        message: `Another lab on this host already serves its API endpoint on the host's port ${port}.`,
        fix: 'Leave the host port empty (Nestlab picks a free one) or choose another.',
      },
    ];
  }
  /**
   * A scaled plan before its operation starts: its fields (and, for existing machines, their
   * hosts), then room for the `added` machines on the lab host (no reserve: the lab runs already)
   * or on their own hosts.
   *
   * @throws AppError INVALID_ARGUMENT naming the problems or the capacity that is short.
   */
  async checkScale(plan: LabPlan, added: readonly LabMachine[]): Promise<void> {
    const host = await this.hosts.get(plan.hostId);
    const problems = validatePlan(plan, host.os);
    if (plan.driver === 'existing') problems.push(...(await this.existing(plan, [])).problems);
    if (problems.length > 0) {
      throw new AppError('INVALID_ARGUMENT', problems.map((problem) => `${problem.message} ${problem.fix}`).join(' '), { problems });
    }
    if (added.length === 0) return;
    const short = (capacity: readonly CapacityLine[]) =>
      capacity
        .filter((line) => !line.ok)
        .map((line) => line.summary)
        .join(' ');
    if (plan.driver === 'existing') {
      const { capacity } = await this.existing(plan, added);
      if (!capacity.every((line) => line.ok)) throw new AppError('INVALID_ARGUMENT', short(capacity), { capacity });
      return;
    }
    const report = await this.hosts.probe(plan.hostId);
    const capacity = capacityLines(added, report.capacity, { reserve: false });
    if (!capacity.every((line) => line.ok)) {
      throw new AppError('INVALID_ARGUMENT', `The host has no room for ${added.length} more VM(s): ${short(capacity)}`, { capacity });
    }
  }
  /**
   * driver 'existing': each machine is an inventory host with an accepted key and the OS its role
   * needs; `toProbe` are checked against their own host's preflight (one capacity line per resource
   * and machine, no host reserve: the machine is the node).
   */
  async existing(plan: LabPlan, toProbe: readonly LabMachine[]): Promise<{ problems: PlanProblem[]; capacity: CapacityLine[] }> {
    const inventory = await existingInventory(this.hosts, plan);
    const facts = (plan.existingMachines ?? []).map(({ hostId }) => {
      const host = inventory.get(hostId);
      return host === undefined
        ? { hostId }
        : { hostId, host: { name: host.name, os: host.os, hostKeyAccepted: host.hostKey !== undefined } };
    });
    const roles = new Map((plan.existingMachines ?? []).map((machine) => [machine.hostId, machine.role] as const));
    const problems = existingHostProblems(facts, roles);
    const capacity: CapacityLine[] = [];
    if (problems.length > 0) return { problems, capacity };
    for (const machine of toProbe) {
      const host = inventory.get(hostIdOf(machine));
      if (host === undefined) continue;
      try {
        const report = await this.hosts.probe(host.id);
        for (const line of capacityLines([machine], report.capacity, { reserve: false })) {
          capacity.push({
            ...line,
            arithmetic: `${host.name}: ${line.arithmetic}`,
            summary: `${host.name} (${machine.name}): ${line.summary}`,
          });
        }
      } catch (error) {
        problems.push({
          field: 'existingMachines',
          message: `${host.name} could not be probed: ${AppError.from(error).message}`,
          fix: 'Check the host in the Hosts view (connection, host key, sudo), then check the plan again.',
        });
      }
    }
    return { problems, capacity };
  }
}
