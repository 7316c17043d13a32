/**
 * Argument shapes of the labs domain: types, sizes and closed sets. The labs service keeps its
 * own deeper checks (DNS labels, addresses inside the network, distribution rules) so its
 * problems name the field and the fix.
 */
import { z } from 'zod';
import type { UpgradeRequest } from '../contract/lab-upgrade';
import type {
  EtcdSnapshotRequest,
  LabLogQuery,
  LabPlan,
  MachineActionRequest,
  ScaleRequest,
  SelfHealingSettings,
  VmSize,
} from '../contract/labs';

/** A DNS label: what a lab may be named (it names VMs, the context and the lab's file). */
export const LAB_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The name of an existing lab (get, resume, cancel, scale, remove, logs): a DNS label, so it can
 * never name a file outside the labs folder (`../hosts` would read, and remove would delete, the
 * data folder's hosts.json).
 */
export const labNameSchema = z
  .string()
  .regex(LAB_NAME_PATTERN, 'A lab name is a DNS label (lower-case letters, digits and "-", at most 63 characters).');

/**
 * The name in a plan. The labs service reports a name that is not a DNS label as a problem of the
 * plan's name field (the form shows it there); what could reach outside the labs folder is refused here.
 */
const planNameSchema = z
  .string()
  .min(1)
  .max(63)
  .refine((name) => !/[/\\\0]/.test(name) && !name.startsWith('.'), {
    message: 'A lab name cannot contain "/", "\\" or start with "." (it names a file in the labs folder).',
  });

const text = (max: number) => z.string().max(max);

const vmSizeSchema: z.ZodType<VmSize> = z.strictObject({
  preset: z.enum(['small', 'medium', 'large', 'custom']),
  cpus: z.number().int(),
  memoryMiB: z.number().int(),
  diskGiB: z.number().int(),
});

const existingMachinesSchema = z
  .array(z.strictObject({ hostId: z.string().min(1).max(128), role: z.enum(['control-plane', 'etcd', 'linux-worker', 'windows-worker']) }))
  .max(64);

export const labPlanSchema: z.ZodType<LabPlan> = z.strictObject({
  name: planNameSchema,
  hostId: z.string().min(1).max(128),
  driver: z.enum(['libvirt', 'hyperv', 'existing']),
  distribution: z.enum(['k3s', 'kubeadm']),
  kubernetesVersion: text(32),
  controlPlaneCount: z.union([z.literal(1), z.literal(3)]),
  etcd: z.enum(['stacked', 'external']),
  cni: z.enum(['flannel', 'calico', 'bundle']),
  linuxWorkers: z.number().int(),
  windowsWorkers: z.number().int(),
  taintWindowsWorkers: z.boolean().optional(),
  sizes: z.strictObject({ controlPlane: vmSizeSchema, linuxWorker: vmSizeSchema, windowsWorker: vmSizeSchema, etcd: vmSizeSchema }),
  network: z.strictObject({
    mode: z.enum(['nat', 'bridge']),
    bridge: text(64).optional(),
    cidr: text(64),
    poolStart: text(64),
    poolEnd: text(64),
    podCidr: text(64),
    serviceCidr: text(64),
    loadBalancerStart: text(64),
    loadBalancerEnd: text(64),
  }),
  apiEndpoint: z.strictObject({ host: text(253), port: z.number().int(), address: text(64), hostPort: z.number().int().optional() }),
  baseImage: text(4096),
  windowsBaseImage: text(4096).optional(),
  offlineBundle: text(4096).optional(),
  registryMirror: text(2048).optional(),
  existingMachines: existingMachinesSchema.optional(),
});

export const scaleRequestSchema: z.ZodType<ScaleRequest> = z.strictObject({
  linuxWorkers: z.number().int(),
  windowsWorkers: z.number().int(),
  drainTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
  existingMachines: existingMachinesSchema.optional(),
});

export const labLogQuerySchema: z.ZodType<LabLogQuery> = z.strictObject({
  stepId: text(256).optional(),
  vm: text(128).optional(),
  limit: z.number().int().min(1).max(5000).optional(),
});

/** `etcd-YYYYMMDD-HHMMSS`: the only names Nestlab gives snapshots, so a name never reaches outside the snapshots folder. */
export const ETCD_SNAPSHOT_NAME_PATTERN = /^etcd-\d{8}-\d{6}$/;

export const etcdSnapshotNameSchema = z
  .string()
  .regex(ETCD_SNAPSHOT_NAME_PATTERN, 'An etcd snapshot name looks like etcd-20261202-104500 (pick one from the list).');

export const LAB_SNAPSHOT_NAME_PATTERN = /^nestlab-\d{8}-\d{6}$/;

export const labSnapshotNameSchema = z.string().regex(LAB_SNAPSHOT_NAME_PATTERN, 'A lab snapshot name is nestlab-YYYYMMDD-HHMMSS.');

export const upgradeRequestSchema: z.ZodType<UpgradeRequest> = z.strictObject({
  kubernetesVersion: z.string().min(1).max(32),
  drainTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
});

export const etcdSnapshotRequestSchema: z.ZodType<EtcdSnapshotRequest> = z.strictObject({
  keep: z.number().int().min(1).max(100).optional(),
  copyToComputer: z.boolean().optional(),
});

export const machineActionRequestSchema: z.ZodType<MachineActionRequest> = z.strictObject({
  action: z.enum(['maintain', 'resume', 'start', 'stop', 'restart', 'recreate', 'simulate-failure']),
  drainTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
  deleteEmptyDirData: z.boolean().optional(),
  drillMinutes: z.number().int().min(1).max(60).optional(),
});

export const selfHealingSettingsSchema: z.ZodType<SelfHealingSettings> = z.strictObject({
  enabled: z.boolean(),
  graceSeconds: z.number().int().min(30).max(3600),
  maxMachines: z.number().int().min(1).max(20),
  maxFraction: z.number().min(0.05).max(1),
  windowMinutes: z.number().int().min(1).max(1440),
});
