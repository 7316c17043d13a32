import { z } from 'zod';
import { topologyKinds, type TopologyObjectRef } from '../contract/topology';

/** Snapshot cursors are made by the service: `<snapshotId>:<offset>`. */
export const snapshotCursorSchema = z.string().min(1).max(100).optional();

export const topologyObjectRefSchema: z.ZodType<TopologyObjectRef> = z.strictObject({
  kind: z.enum(topologyKinds),
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63).optional(),
});
