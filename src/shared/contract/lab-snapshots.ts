/**
 * Lab snapshots (day 2): every VM of a lab snapshotted at one moment (libvirt snapshots, Hyper-V
 * checkpoints), so a class or a demo goes back to a clean state in seconds. The labs service
 * takes, lists, reverts and deletes them (see LabsService).
 */

/** A snapshot of a whole lab: one snapshot (libvirt) or checkpoint (Hyper-V) of each of its VMs, of one name. */
export interface LabSnapshot {
  /** `nestlab-YYYYMMDD-HHMMSS` (UTC): each VM's snapshot is named so. */
  name: string;
  /** ISO time it was taken (from the name). */
  takenAt: string;
  /** The lab's machines that have it. */
  machines: string[];
  /**
   * Every VM of the lab has it: only then can the lab be reverted to it (a snapshot taken before a
   * scale-up, or cut short, is listed so that it can be deleted).
   */
  complete: boolean;
}

/** The snapshots of a lab, or why it has none. */
export interface LabSnapshotList {
  /** False for labs whose machines are not VMs Nestlab runs (existing machines); `reason` says so. */
  supported: boolean;
  reason?: string;
  /** Oldest first. */
  snapshots: LabSnapshot[];
}
