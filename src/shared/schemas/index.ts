/**
 * Argument schemas for every contract method, checked by the receiving side before a service
 * sees the call. Kept out of src/shared/contract so the preload bundle does not carry zod.
 */
import { z } from 'zod';
import type { DomainName, MethodName, Services } from '../contract';
import {
  deployRequestSchema,
  deploymentNameSchema,
  dnsLabelSchema,
  operationIdSchema,
  replicasSchema,
  yamlApplyRequestSchema,
} from './apps';
import { blueGreenSideSchema, createGreenRequestSchema } from './blue-green';
import { approvalKeySchema, clashResolutionSchema, contextNameSchema, exportOptionsSchema, kubeconfigSourceSchema } from './clusters';
import { fingerprintSchema, hostIdSchema, hostInputSchema, hostPatchSchema } from './hosts';
import {
  etcdSnapshotNameSchema,
  etcdSnapshotRequestSchema,
  labLogQuerySchema,
  labNameSchema,
  labPlanSchema,
  labSnapshotNameSchema,
  upgradeRequestSchema,
  machineActionRequestSchema,
  selfHealingSettingsSchema,
  scaleRequestSchema,
} from './labs';
import {
  forwardRequestSchema,
  logLineCountSchema,
  logOptionsSchema,
  logSourceSchema,
  podQuerySchema,
  podsIdSchema,
  podsObjectRefSchema,
} from './pods';
import { settingsPatchSchema } from './settings';
import {
  acknowledgedCountSchema,
  kubeNameSchema,
  terminalIdSchema,
  terminalInputSchema,
  terminalResumePointSchema,
  terminalSizeSchema,
  terminalTargetSchema,
} from './terminals';
import { snapshotCursorSchema, topologyObjectRefSchema } from './topology';

type ArgumentSchemas = {
  readonly [D in DomainName]: {
    readonly [M in MethodName<Services[D]>]: z.ZodType<Parameters<Extract<Services[D][M], (...args: never[]) => unknown>>>;
  };
};

const none = z.tuple([]);

export const argumentSchemas: ArgumentSchemas = {
  system: {
    info: none,
    kubectlShelf: none,
    addKubectl: z.tuple([z.string().min(1).max(4096)]),
    removeKubectl: z.tuple([z.string().min(1).max(4096)]),
  },
  settings: {
    get: none,
    update: z.tuple([settingsPatchSchema]),
    reset: none,
  },
  clusters: {
    list: none,
    defaultKubeconfig: none,
    importKubeconfig: z.tuple([kubeconfigSourceSchema, z.array(clashResolutionSchema).max(1000)]),
    remove: z.tuple([contextNameSchema]),
    setActive: z.tuple([contextNameSchema]),
    refresh: z.tuple([contextNameSchema]),
    refreshAll: none,
    testConnection: z.tuple([contextNameSchema]),
    listNodes: z.tuple([contextNameSchema]),
    approvePlugin: z.tuple([contextNameSchema, approvalKeySchema]),
    revokePlugin: z.tuple([contextNameSchema]),
    exportContext: z.tuple([contextNameSchema, exportOptionsSchema]),
    allowExternalFiles: z.tuple([contextNameSchema, z.array(z.string().min(1).max(4096)).max(8)]),
  },
  terminals: {
    open: z.tuple([terminalTargetSchema, terminalSizeSchema]),
    list: none,
    write: z.tuple([terminalIdSchema, terminalInputSchema]),
    resize: z.tuple([terminalIdSchema, terminalSizeSchema]),
    acknowledge: z.tuple([terminalIdSchema, acknowledgedCountSchema]),
    resume: z.tuple([terminalIdSchema, terminalResumePointSchema]),
    close: z.tuple([terminalIdSchema]),
    podContainers: z.tuple([contextNameSchema, kubeNameSchema, kubeNameSchema]),
  },
  topology: {
    watch: z.tuple([contextNameSchema]),
    unwatch: z.tuple([contextNameSchema]),
    snapshot: z.union([z.tuple([contextNameSchema]), z.tuple([contextNameSchema, snapshotCursorSchema])]),
    contexts: none,
    recentEvents: z.tuple([contextNameSchema, topologyObjectRefSchema]),
  },
  hosts: {
    list: none,
    get: z.tuple([hostIdSchema]),
    add: z.tuple([hostInputSchema]),
    update: z.tuple([hostIdSchema, hostPatchSchema]),
    remove: z.tuple([hostIdSchema]),
    testConnection: z.tuple([hostIdSchema]),
    scanHostKey: z.tuple([hostIdSchema]),
    acceptHostKey: z.tuple([hostIdSchema, fingerprintSchema]),
    forgetHostKey: z.tuple([hostIdSchema]),
    resetHostKeyStore: none,
    probe: z.tuple([hostIdSchema]),
    cancelProbe: z.tuple([hostIdSchema]),
    secretStorage: none,
  },
  apps: {
    catalog: none,
    preflight: z.tuple([deployRequestSchema]),
    install: z.tuple([deployRequestSchema]),
    list: z.tuple([contextNameSchema]),
    follow: z.tuple([contextNameSchema, dnsLabelSchema, dnsLabelSchema]),
    unfollow: z.tuple([contextNameSchema, dnsLabelSchema, dnsLabelSchema]),
    scale: z.tuple([contextNameSchema, dnsLabelSchema, dnsLabelSchema, deploymentNameSchema, replicasSchema]),
    uninstall: z.tuple([contextNameSchema, dnsLabelSchema, dnsLabelSchema]),
    dryRunYaml: z.tuple([yamlApplyRequestSchema]),
    applyYaml: z.tuple([yamlApplyRequestSchema]),
    cancelYaml: z.tuple([operationIdSchema]),
  },
  pods: {
    listPods: z.tuple([podQuerySchema]),
    followPods: z.tuple([podQuerySchema]),
    unfollowPods: z.tuple([podsIdSchema]),
    startLogs: z.tuple([logSourceSchema, logOptionsSchema]),
    retryLogs: z.tuple([podsIdSchema]),
    stopLogs: z.tuple([podsIdSchema]),
    acknowledgeLogs: z.tuple([podsIdSchema, logLineCountSchema]),
    events: z.tuple([podsObjectRefSchema]),
    describe: z.tuple([podsObjectRefSchema]),
    startForward: z.tuple([forwardRequestSchema]),
    listForwards: none,
    stopForward: z.tuple([podsIdSchema]),
  },
  labs: {
    list: none,
    get: z.tuple([labNameSchema]),
    checkPlan: z.tuple([labPlanSchema]),
    proposeNetwork: z.union([z.tuple([z.string().min(1).max(128)]), z.tuple([z.string().min(1).max(128), labNameSchema])]),
    dryRun: z.tuple([labPlanSchema]),
    create: z.tuple([labPlanSchema]),
    resume: z.tuple([labNameSchema]),
    cancel: z.tuple([labNameSchema]),
    scale: z.tuple([labNameSchema, scaleRequestSchema]),
    remove: z.tuple([labNameSchema]),
    logs: z.tuple([labNameSchema, labLogQuerySchema]),
    etcdSnapshots: z.tuple([labNameSchema]),
    saveEtcdSnapshot: z.tuple([labNameSchema, etcdSnapshotRequestSchema]),
    restoreEtcdSnapshot: z.tuple([labNameSchema, etcdSnapshotNameSchema]),
    labSnapshots: z.tuple([labNameSchema]),
    saveLabSnapshot: z.tuple([labNameSchema]),
    revertLabSnapshot: z.tuple([labNameSchema, labSnapshotNameSchema]),
    deleteLabSnapshot: z.tuple([labNameSchema, labSnapshotNameSchema]),
    upgrade: z.tuple([labNameSchema, upgradeRequestSchema]),
    machineAction: z.tuple([labNameSchema, z.string().min(1).max(128), machineActionRequestSchema]),
    machineStatuses: z.tuple([labNameSchema]),
    setSelfHealing: z.tuple([labNameSchema, selfHealingSettingsSchema]),
  },
  blueGreen: {
    list: none,
    createGreen: z.tuple([createGreenRequestSchema]),
    prepare: z.tuple([labNameSchema]),
    switchTo: z.tuple([labNameSchema, blueGreenSideSchema]),
    remove: z.tuple([labNameSchema]),
  },
};
