import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { domainNames } from './names';

/** Which lab of a blue/green pair: blue is the lab the pair was made from, green its copy at another version. */
export type BlueGreenSide = 'blue' | 'green';

/** One app behind the front door: a catalog app instance of blue, copied to green. */
export interface FrontDoorApp {
  namespace: string;
  instance: string;
  appId: string;
  /** http or https, from the app's Open target (https goes through as TCP: the app's own TLS reaches the browser). */
  scheme: 'http' | 'https';
  /** The path the app opens on, e.g. "/". */
  path: string;
  /** The lab host's port this app's frontend listens on (18080 upwards; one per app, kept for the pair's life). */
  hostPort: number;
  /** The app's LoadBalancer address:port in each lab, once it has one. */
  backends: Partial<Record<BlueGreenSide, string>>;
  /** What the user opens: the lab host's address and hostPort. Never changes with a switch. */
  url: string;
}

/** Where a pair is. Work runs in the background; onDidChangePair reports it. */
export type BlueGreenState =
  /** The green lab is being provisioned (its progress is the lab's operation). */
  | 'creating-green'
  /** Installing blue's catalog apps in green and waiting for their LoadBalancer addresses. */
  | 'copying-apps'
  /** Writing the front door's HAProxy configuration (checked with `haproxy -c`) and reloading it. */
  | 'opening'
  /** The front door serves the active side. */
  | 'ready'
  /** The front door is being switched to the other side. */
  | 'switching'
  /** The last step failed (`error` says why); prepare() tries again. */
  | 'failed';

/** A blue lab, its green copy and their front door on the lab host. Plain JSON. */
export interface BlueGreenPair {
  blue: string;
  green: string;
  hostId: string;
  /** The Kubernetes versions of the two labs when the pair was made. */
  blueVersion: string;
  greenVersion: string;
  /** The side the front door sends users to. */
  active: BlueGreenSide;
  state: BlueGreenState;
  /** What the pair is doing now, or what is worth knowing (apps without an address). */
  detail?: string;
  error?: SerializedError;
  /** The apps behind the front door (empty until the apps were copied). */
  apps: FrontDoorApp[];
  /** Sides whose lab was deleted since: the front door cannot switch there. */
  deleted: BlueGreenSide[];
  createdAt: string;
  updatedAt: string;
}

/** What createGreen makes. */
export interface CreateGreenRequest {
  /** The lab to copy (ready, on a libvirt host: the front door is HAProxy on that Linux host). */
  blue: string;
  /** The new lab's name (a DNS label no lab has yet). */
  green: string;
  /** The green lab's Kubernetes version (another version of the table than blue's). */
  kubernetesVersion: string;
}

/**
 * Blue/green labs: a "green" lab made from a "blue" one at another Kubernetes version (new ranges
 * from the host's allocation), blue's catalog apps installed there, and a front door on the lab
 * host (HAProxy, one frontend per app on a host port) whose backends switch from blue to green and
 * back in one call, by a configuration reload checked with `haproxy -c`: the address the user
 * opens never changes and no connection is refused during the switch. Blue stays until deleted.
 */
export interface BlueGreenService {
  /** Every pair. */
  list(): Promise<BlueGreenPair[]>;
  /**
   * Starts the green lab (LabsService.create, progress as for any lab) and records the pair;
   * once green is ready, blue's apps are copied and the front door opens (pointing at blue).
   * INVALID_ARGUMENT for a blue lab that is not ready or not on a libvirt host, the same version,
   * or a refused green plan (the problems in details); ALREADY_EXISTS for a pair or lab name taken.
   */
  createGreen(request: CreateGreenRequest): Promise<BlueGreenPair>;
  /** Copy blue's apps to green again (new ones) and rewrite the front door; what a failed pair resumes with. */
  prepare(blue: string): Promise<BlueGreenPair>;
  /**
   * Send the front door's users to `side`: every app's backend changes in one HAProxy reload
   * (checked first; a refused configuration leaves the running one). INVALID_ARGUMENT when an app
   * has no address on that side yet or that side's lab was deleted.
   */
  switchTo(blue: string, side: BlueGreenSide): Promise<BlueGreenPair>;
  /** Close the front door (its HAProxy instance and configuration) and forget the pair; both labs stay. */
  remove(blue: string): Promise<void>;
  /** A pair changed (state, detail, active side, apps). */
  onDidChangePair: Event<BlueGreenPair>;
  /** A pair was removed. */
  onDidRemovePair: Event<{ blue: string }>;
}

export const blueGreenNames = domainNames<BlueGreenService>()({
  methods: ['list', 'createGreen', 'prepare', 'switchTo', 'remove'],
  events: ['onDidChangePair', 'onDidRemovePair'],
});
