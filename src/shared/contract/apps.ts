import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { domainNames } from './names';
import type { LabHostRef } from './pods';

/** Labels Nestlab puts on every object it applies. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'nestlab';
export const APP_INSTANCE_LABEL = 'nestlab.dev/app-instance';
/** The field manager of every server-side apply and scale Nestlab makes. */
export const FIELD_MANAGER = 'nestlab';

export type TargetOs = 'linux' | 'windows';

/** One Deployment of a catalog app and the slider range it gets. */
export interface CatalogDeployment {
  name: string;
  defaultReplicas: number;
  minReplicas: number;
  maxReplicas: number;
}

/** What the Open button opens once the app is up: a Service port, over http or https. */
export interface CatalogOpenTarget {
  service: string;
  port: number;
  scheme: 'http' | 'https';
  path: string;
}

/** An app of the catalog (resources/catalog/<id>/app.yaml plus its manifests). */
export interface CatalogApp {
  id: string;
  title: string;
  description: string;
  /** The nodes its pods must land on (nodeSelector kubernetes.io/os). */
  os: TargetOs;
  images: string[];
  ports: number[];
  deployments: CatalogDeployment[];
  open?: CatalogOpenTarget;
  /** The objects it creates, as Kind/name. */
  objects: string[];
}

/** The catalog, and apps that were left out because their files are wrong. */
export interface Catalog {
  apps: CatalogApp[];
  problems: { app: string; message: string }[];
}

/** Where to deploy a catalog app. `instance` names the installation (labels, the record). */
export interface DeployRequest {
  context: string;
  namespace: string;
  appId: string;
  instance: string;
}

/** One object, as results name it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
}

/**
 * A reason the deploy cannot go ahead (`blocking`) or something the user should know. `code`
 * lets the form branch: FORBIDDEN (RBAC), NOT_FOUND (no Ready node of the OS), ALREADY_EXISTS
 * (a name taken by something else), INVALID_INPUT (the server rejected a manifest in the dry run).
 */
export interface PreflightProblem {
  code: SerializedError['code'];
  message: string;
  /** What to do about it. */
  fix?: string;
  blocking: boolean;
  object?: ObjectRef;
}

/** The answer of a preflight: a value, never a throw, for expected outcomes. */
export interface PreflightResult {
  ok: boolean;
  /** Ready nodes of the app's OS. */
  readyNodes: string[];
  /** The namespace does not exist yet and will be created. */
  createsNamespace: boolean;
  /** Images after the registry-mirror rewrite. */
  images: string[];
  problems: PreflightProblem[];
}

/** One Deployment's rollout, as the progress bar and the slider show it. */
export interface DeploymentStatus {
  name: string;
  /** spec.replicas: what the slider shows when nobody is dragging it. */
  desired: number;
  ready: number;
  updated: number;
  /** Why pods are not ready (ImagePullBackOff, Unschedulable: 0/3 nodes are available...). */
  reason?: string;
  /** Pods of this Deployment Running / Pending right now. */
  runningPods: number;
  pendingPods: number;
}

export interface ServiceStatus {
  name: string;
  type: string;
  /** LoadBalancer ingress IP or host name, once assigned. */
  externalAddress?: string;
  /** NodePorts, when the Service has them. */
  nodePorts: number[];
  ports: number[];
}

/** An installed app instance, live. */
export interface AppInstanceStatus {
  context: string;
  namespace: string;
  instance: string;
  appId: string;
  /** The app's title (or appId when the catalog no longer has it). */
  title: string;
  os?: TargetOs;
  deployments: DeploymentStatus[];
  services: ServiceStatus[];
  /** http(s) only; present once the Service has an external address. */
  openUrl?: string;
  /**
   * Whether this computer could open a TCP connection to openUrl's address (checked by the main
   * process, answer kept 30 s); absent while unknown. When not, the port-forward is the way in.
   */
  openReachable?: boolean;
  /**
   * The host of the Nestlab lab this context belongs to: a port-forward via 'lab-host' (an SSH
   * tunnel through it) reaches openUrl's address on the lab network from this computer.
   */
  labHost?: LabHostRef;
  /** Slider ranges by Deployment name. */
  replicaRanges: Record<string, { min: number; max: number }>;
  /** Every Deployment has all its desired replicas ready. */
  ready: boolean;
  /** The objects this instance created (its record). */
  objects: ObjectRef[];
  /** Reading the status failed (it is retried). */
  error?: SerializedError;
}

export type InstallResult =
  { status: 'installed'; app: AppInstanceStatus; preflight: PreflightResult } | { status: 'refused'; preflight: PreflightResult };

export interface UninstallResult {
  deleted: ObjectRef[];
  /** Recorded objects that were already gone, or no longer carry this instance's label (left alone). */
  skipped: ObjectRef[];
}

/** Where a custom YAML apply goes. `namespace` fills in namespaced objects that name none. */
export interface YamlApplyRequest {
  context: string;
  namespace: string;
  yaml: string;
  /** Take over fields other field managers own. Only when the user asked for it. */
  force?: boolean;
  /**
   * Namespaces to create before the objects (the "Create namespace X" the dry run offers for a
   * namespace that neither exists nor is created by the YAML). They count as existing in a dry run.
   */
  createNamespaces?: string[];
  /** Chosen by the caller: progress events carry it, and {@link AppsService.cancelYaml} takes it. */
  operationId?: string;
}

/** A YAML syntax problem, 1-based line and column. */
export interface YamlProblem {
  /** 1-based index of the document in the stream. */
  document: number;
  line: number;
  column: number;
  message: string;
}

export interface ObjectApplyResult {
  object: ObjectRef;
  /** 1-based index of the document in the YAML; absent for a namespace created on request (createNamespaces). */
  document?: number;
  /** `skipped`: not sent, because the operation was cancelled first. */
  outcome: 'created' | 'configured' | 'unchanged' | 'failed' | 'skipped';
  /**
   * CONFLICT (details.managers, details.fields), FORBIDDEN, INVALID_INPUT (details.field), NOT_FOUND...
   * The message names the document, the field when the server named one, and what to do.
   */
  error?: SerializedError;
  /** What Nestlab changed or assumed for this object (a defaulted field on an old server, a dry run done elsewhere). */
  notes?: string[];
  /**
   * What looks wrong but was still sent: pods that would land on the wrong OS (a Windows image
   * without nodeSelector kubernetes.io/os: windows, no OS selector in a cluster with Windows nodes
   * that would take them, a Windows selector without the toleration for tainted Windows workers).
   */
  warnings?: string[];
}

/**
 * Per-object outcome of a dry run or an apply. `invalid` when the YAML itself is wrong: nothing
 * was sent. Each object is applied on its own, so one refusal does not hide the others.
 * Namespaces are applied first; objects go in document order otherwise (several at a time).
 */
export type YamlApplyResult =
  | { status: 'invalid'; problems: YamlProblem[] }
  | {
      status: 'done';
      dryRun: boolean;
      results: ObjectApplyResult[];
      /** Namespaces objects are in that neither exist nor are created by the YAML: offer to create them. */
      missingNamespaces: string[];
      /** The operation was cancelled: objects not yet sent are `skipped`. */
      cancelled: boolean;
    };

/** Progress of a running dry run or apply (at most every 100 ms, and once at the end). */
export interface YamlProgress {
  operationId: string;
  dryRun: boolean;
  /** Objects finished (any outcome). */
  done: number;
  total: number;
  /** The object being sent now, when one is. */
  current?: ObjectRef;
}

/**
 * One-click apps: a catalog of Linux and Windows sample apps, deployed with server-side apply
 * under the field manager "nestlab", followed live, scaled through the scale subresource, and
 * uninstalled by exactly the objects they created. Custom YAML is applied beside the catalog.
 */
export interface AppsService {
  /** The catalog shipped with Nestlab. */
  catalog(): Promise<Catalog>;
  /** Checks a deploy without writing: Ready nodes of the OS, names, RBAC, a server-side dry run. */
  preflight(request: DeployRequest): Promise<PreflightResult>;
  /** Runs the preflight and, when nothing blocks, creates the namespace if needed and applies. */
  install(request: DeployRequest): Promise<InstallResult>;
  /** Installed instances of a context (their records), with their live status. */
  list(context: string): Promise<AppInstanceStatus[]>;
  /** Starts following an instance: onDidChangeStatus fires on every change (someone else's scale included). */
  follow(context: string, namespace: string, instance: string): Promise<AppInstanceStatus>;
  unfollow(context: string, namespace: string, instance: string): Promise<void>;
  /** Sets a Deployment's replicas through the scale subresource. Only Deployments of the instance. */
  scale(context: string, namespace: string, instance: string, deployment: string, replicas: number): Promise<void>;
  /** Deletes the objects the instance recorded that still carry its label, then the record. */
  uninstall(context: string, namespace: string, instance: string): Promise<UninstallResult>;
  /** Server-side dry run of multi-document YAML, object by object. */
  dryRunYaml(request: YamlApplyRequest): Promise<YamlApplyResult>;
  /** Server-side apply of multi-document YAML, object by object. */
  applyYaml(request: YamlApplyRequest): Promise<YamlApplyResult>;
  /** Stops a running dry run or apply after the objects in flight; the rest are `skipped`. Unknown ids are ignored. */
  cancelYaml(operationId: string): Promise<void>;
  /** A followed instance changed (rollout, scale, external address, removal). */
  onDidChangeStatus: Event<AppInstanceStatus>;
  /** A dry run or apply that was given an operationId advanced. */
  onDidYamlProgress: Event<YamlProgress>;
}

export const appsNames = domainNames<AppsService>()({
  methods: ['catalog', 'preflight', 'install', 'list', 'follow', 'unfollow', 'scale', 'uninstall', 'dryRunYaml', 'applyYaml', 'cancelYaml'],
  events: ['onDidChangeStatus', 'onDidYamlProgress'],
});
