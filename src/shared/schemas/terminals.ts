import { z } from 'zod';
import type { TerminalResumePoint, TerminalSize, TerminalTarget } from '../contract/terminals';
import { contextNameSchema } from './clusters';

/** A namespace, pod or container name. */
export const kubeNameSchema = z.string().min(1).max(253);
const name = kubeNameSchema;
/** Terminal ids are UUIDs made by the service. */
export const terminalIdSchema = z.string().min(1).max(64);

export const terminalTargetSchema: z.ZodType<TerminalTarget> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local'), context: contextNameSchema.optional() }),
  z.strictObject({ kind: z.literal('ssh'), hostId: z.string().min(1).max(64) }),
  z.strictObject({
    kind: z.literal('pod'),
    context: contextNameSchema,
    namespace: name,
    pod: name,
    container: name.optional(),
  }),
]);

export const terminalSizeSchema: z.ZodType<TerminalSize> = z.strictObject({
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
});

/** One write: a keystroke or a paste. Large pastes are split by the client. */
export const terminalInputSchema = z.string().max(1024 * 1024);

export const acknowledgedCountSchema = z
  .number()
  .int()
  .min(0)
  .max(1024 * 1024 * 1024);

/** Where a reconnecting client's output ends; counts are whole, non-negative and safe integers. */
export const terminalResumePointSchema: z.ZodType<TerminalResumePoint> = z.strictObject({
  afterSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  receivedBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  unacknowledgedBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
