import { z } from 'zod';
import type { ForwardRequest, LogOptions, LogSource, PodQuery, PodsObjectRef } from '../contract/pods';
import { contextNameSchema as contextName } from './clusters';
/** A namespace (DNS-1123 label). */
const namespaceName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace is lower-case letters, digits and "-"');
/** A pod, Deployment, Service or container name (DNS-1123 subdomain or label). */
const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'an object name is lower-case letters, digits, "-" and "."');

export const podQuerySchema: z.ZodType<PodQuery> = z
  .strictObject({ context: contextName, namespace: namespaceName.optional(), deployment: objectName.optional() })
  .refine((query) => query.deployment === undefined || query.namespace !== undefined, {
    message: 'a Deployment is looked up in a namespace: give the namespace too',
  });

export const logSourceSchema: z.ZodType<LogSource> = z.strictObject({
  context: contextName,
  namespace: namespaceName,
  kind: z.enum(['pod', 'deployment']),
  name: objectName,
  container: objectName.optional(),
});

export const logOptionsSchema: z.ZodType<LogOptions> = z.strictObject({
  follow: z.boolean(),
  tailLines: z.number().int().min(0).max(100_000).optional(),
  sinceSeconds: z
    .number()
    .int()
    .min(1)
    .max(10 * 365 * 24 * 3600)
    .optional(),
  previous: z.boolean().optional(),
});

/** Stream and forward ids are UUIDs made by the service. */
export const podsIdSchema = z.string().min(1).max(64);

export const logLineCountSchema = z.number().int().min(0).max(100_000_000);

export const podsObjectRefSchema: z.ZodType<PodsObjectRef> = z.strictObject({
  context: contextName,
  kind: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Z][A-Za-z0-9]*$/, 'a kind is written as Kubernetes names it: Pod, Deployment'),
  name: objectName,
  namespace: namespaceName.optional(),
});

const port = z.number().int().min(1).max(65_535);

export const forwardRequestSchema: z.ZodType<ForwardRequest> = z.strictObject({
  context: contextName,
  namespace: namespaceName,
  kind: z.enum(['pod', 'service']),
  name: objectName,
  remotePort: port,
  localPort: z.number().int().min(0).max(65_535).optional(),
  via: z.enum(['api-server', 'lab-host']).optional(),
});
