/**
 * Argument shapes of the hosts domain. They check types, sizes and closed sets; the hosts service
 * keeps its own deeper checks (control characters, leading dashes, jump-host loops) so its
 * messages name the field. Secrets are checked for type and size only, never for content.
 */
import { z } from 'zod';
import type { HostAuthInput, HostInput, HostPatch } from '../contract/hosts';
import { parseHostAddress } from '../host-address';

export const hostIdSchema = z.string().min(1).max(128);

const secretSchema = z.string().min(1).max(4096);
const optionalPassphraseSchema = z.string().max(4096).optional();
const hostOsSchema = z.enum(['linux', 'windows']);
const portSchema = z.number().int().min(1).max(65535);

export const hostAuthSchema: z.ZodType<HostAuthInput> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('agent') }),
  z.strictObject({ kind: z.literal('keyFile'), path: z.string().min(1).max(4096), passphrase: optionalPassphraseSchema }),
  z.strictObject({
    kind: z.literal('pastedKey'),
    privateKey: z
      .string()
      .min(1)
      .max(64 * 1024),
    passphrase: optionalPassphraseSchema,
  }),
  z.strictObject({ kind: z.literal('password'), password: secretSchema }),
]);

/** A DNS name, IPv4 or IPv6 address; the port goes in its own field. */
const addressSchema = z
  .string()
  .min(1)
  .max(253)
  .superRefine((value, context) => {
    const parsed = parseHostAddress(value);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.message });
    else if (parsed.port !== undefined || parsed.host !== value) {
      context.addIssue({
        code: 'custom',
        message: `Give the address without brackets or port ("${parsed.host}") and the port in its own field.`,
      });
    }
  });

const fields = {
  name: z.string().min(1).max(128),
  address: addressSchema,
  port: portSchema,
  user: z.string().min(1).max(64),
  os: hostOsSchema,
  auth: hostAuthSchema,
  storagePath: z.string().min(1).max(4096),
};

export const hostInputSchema: z.ZodType<HostInput> = z.strictObject({
  name: fields.name,
  address: fields.address,
  port: fields.port.optional(),
  user: fields.user,
  os: fields.os.optional(),
  auth: fields.auth,
  sudoPassword: secretSchema.optional(),
  jumpHostId: hostIdSchema.optional(),
  storagePath: fields.storagePath.optional(),
});

export const hostPatchSchema: z.ZodType<HostPatch> = z.strictObject({
  name: fields.name.optional(),
  address: fields.address.optional(),
  port: fields.port.optional(),
  user: fields.user.optional(),
  os: fields.os.optional(),
  auth: fields.auth.optional(),
  storagePath: fields.storagePath.optional(),
  sudoPassword: secretSchema.nullable().optional(),
  jumpHostId: hostIdSchema.nullable().optional(),
});

/** `SHA256:` and 43 unpadded base64 characters, as ssh-keygen -lf prints it. */
export const fingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint (SHA256:...)');
