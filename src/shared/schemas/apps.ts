import { z } from 'zod';
import type { DeployRequest, YamlApplyRequest } from '../contract/apps';
import { contextNameSchema } from './clusters';

/** A DNS-1123 label: namespaces and app instance names. */
export const dnsLabelSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'lower-case letters, digits and "-", starting and ending with a letter or digit');

/** A Deployment name (DNS-1123 subdomain). */
export const deploymentNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);

export const replicasSchema = z.number().int().min(0).max(1000);

export const deployRequestSchema: z.ZodType<DeployRequest> = z.strictObject({
  context: contextNameSchema,
  namespace: dnsLabelSchema,
  appId: dnsLabelSchema,
  instance: dnsLabelSchema,
});

/** A caller-chosen id of a YAML operation (a UUID in practice). */
export const operationIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/);

export const yamlApplyRequestSchema: z.ZodType<YamlApplyRequest> = z.strictObject({
  context: contextNameSchema,
  namespace: dnsLabelSchema,
  yaml: z.string().max(4 * 1024 * 1024),
  force: z.boolean().optional(),
  createNamespaces: z.array(dnsLabelSchema).max(100).optional(),
  operationId: operationIdSchema.optional(),
});
