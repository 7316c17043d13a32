import { z } from 'zod';
import type { ClientMessage } from './messages';

const name = z.string().min(1).max(64);

/** Validates what arrives from a client before anything else looks at it. */
export const clientMessageSchema: z.ZodType<ClientMessage> = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('call'),
    id: z.number().int().nonnegative(),
    domain: name,
    method: name,
    args: z.array(z.unknown()).max(16),
  }),
  z.strictObject({ type: z.literal('subscribe'), domain: name, event: name }),
  z.strictObject({ type: z.literal('unsubscribe'), domain: name, event: name }),
]);
