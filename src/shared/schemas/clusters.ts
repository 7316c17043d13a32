import { z } from 'zod';
import type { ClashResolution, ExportOptions, KubeconfigSource } from '../contract/clusters';

/** Kubernetes object names and kubeconfig entry names: printable, no path separators or control characters. */
export const entryNameSchema = z
  .string()
  .min(1, 'a name is required')
  .max(253)
  .regex(/^[^\s/\\]+$/, 'letters, digits and punctuation, without spaces or slashes');

const pathSchema = z.string().min(1).max(4096);

/**
 * Text is capped well above the service's own 4 MB limit, so an oversized file still reaches the
 * service and gets its clear "too large" message; beyond this the transport refuses it.
 */
export const kubeconfigSourceSchema: z.ZodType<KubeconfigSource> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('files'), paths: z.array(pathSchema).min(1).max(32) }),
  z.strictObject({ kind: z.literal('text'), text: z.string().max(64 * 1024 * 1024), label: z.string().min(1).max(255) }),
  z.strictObject({ kind: z.literal('default') }),
]);

const nameKindSchema = z.enum(['context', 'cluster', 'user']);

export const clashResolutionSchema: z.ZodType<ClashResolution> = z.union([
  z.strictObject({ kind: nameKindSchema, name: z.string().min(1).max(253), action: z.literal('rename'), newName: entryNameSchema }),
  z.strictObject({
    kind: nameKindSchema,
    name: z.string().min(1).max(253),
    action: z.enum(['replace', 'keep-existing']),
    confirmOtherServer: z.boolean().optional(),
  }),
]);

export const exportOptionsSchema: z.ZodType<ExportOptions> = z.strictObject({
  path: pathSchema.optional(),
  replace: z.boolean().optional(),
});

/** A kubeconfig context's name: the one schema every domain checks a context argument with. */
export const contextNameSchema = z.string().min(1).max(253);
export const approvalKeySchema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');
