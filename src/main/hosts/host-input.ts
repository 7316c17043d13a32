import { AppError } from '../../shared/errors';
import { parseHostAddress } from '../../shared/host-address';
import { defaultStoragePath } from './preflight/linux-probe';
import type { HostRecord } from './host-inventory-store';
import type { HostAuthInput, HostInput } from './host-types';
import { validateField } from './shell-quote';

/** The host's plain fields, validated, with defaults applied. */
export type ValidHostFields = Required<Omit<HostInput, 'auth' | 'sudoPassword' | 'jumpHostId'>>;

/** A validated add-host form with defaults applied. */
export interface ValidHostInput extends ValidHostFields {
  auth: HostAuthInput;
  sudoPassword?: string;
  jumpHostId?: string;
}

/**
 * Validate the add-host form. Names that reach a shell or ssh (address, user, key path, storage
 * path) refuse control characters and a leading '-' (INVALID_ARGUMENT with details.field);
 * anything else is kept literally and quoted where it is used.
 */
export function validateHostInput(input: HostInput): ValidHostInput {
  if (typeof input !== 'object' || input === null) throw new AppError('INVALID_ARGUMENT', 'The host form is missing.');
  const valid: ValidHostInput = { ...validateHostFields(input), auth: validateAuth(input.auth) };
  if (input.sudoPassword !== undefined) valid.sudoPassword = validateSecret('sudoPassword', input.sudoPassword);
  if (input.jumpHostId !== undefined) valid.jumpHostId = validateField('jumpHostId', input.jumpHostId, 'name');
  return valid;
}

/** Validate everything but authentication (see {@link validateHostInput}). */
export function validateHostFields(input: Omit<HostInput, 'auth'>): ValidHostFields {
  const port = input.port ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AppError('INVALID_ARGUMENT', 'The port must be a whole number from 1 to 65535.', { field: 'port' });
  }
  const os = input.os ?? 'linux';
  if (os !== 'linux' && os !== 'windows') throw new AppError('INVALID_ARGUMENT', "The OS must be 'linux' or 'windows'.", { field: 'os' });
  return {
    name: validateField('name', input.name, 'name'),
    address: validateAddress(input.address),
    port,
    user: validateField('user', input.user, 'user'),
    os,
    storagePath: validateField('storagePath', input.storagePath ?? defaultStoragePath, 'path'),
  };
}

/** A DNS name, IPv4 or IPv6 address (the port has its own field), as the form and the schema check it. */
function validateAddress(value: string): string {
  const address = validateField('address', value, 'host');
  const parsed = parseHostAddress(address);
  if (!parsed.ok) throw new AppError('INVALID_ARGUMENT', parsed.message, { field: 'address', reason: 'not-an-address' });
  if (parsed.port !== undefined || parsed.host !== address) {
    throw new AppError('INVALID_ARGUMENT', `Give the address without brackets or port ("${parsed.host}") and the port in its own field.`, {
      field: 'address',
      reason: 'port-in-address',
    });
  }
  return address;
}

/** Validate a sign-in method; secrets are checked for presence only. */
export function validateAuth(auth: HostAuthInput | undefined): HostAuthInput {
  switch (auth?.kind) {
    case 'agent':
      return { kind: 'agent' };
    case 'keyFile':
      return withPassphrase({ kind: 'keyFile', path: validateField('keyPath', auth.path, 'path') }, auth.passphrase);
    case 'pastedKey':
      if (typeof auth.privateKey !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(auth.privateKey)) {
        throw new AppError('INVALID_ARGUMENT', 'The pasted key is not a private key. Paste the whole file, from -----BEGIN to -----END.', {
          field: 'privateKey',
        });
      }
      return withPassphrase({ kind: 'pastedKey', privateKey: auth.privateKey }, auth.passphrase);
    case 'password':
      return { kind: 'password', password: validateSecret('password', auth.password) };
    default:
      throw new AppError('INVALID_ARGUMENT', 'Choose how to sign in: ssh-agent, a key file, a pasted key or a password.', {
        field: 'auth',
      });
  }
}

function withPassphrase<T extends { kind: 'keyFile' | 'pastedKey' }>(auth: T, passphrase: string | undefined): T & { passphrase?: string } {
  return passphrase === undefined || passphrase === '' ? auth : { ...auth, passphrase: validateSecret('passphrase', passphrase) };
}

/** Secrets are only checked for presence and type: never echoed, never constrained by content. */
export function validateSecret(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) {
    throw new AppError('INVALID_ARGUMENT', `The ${field} is empty or too long.`, { field });
  }
  return value;
}

/** The jump host exists and the chain of jump hosts from it never comes back to `hostId`. */
export function assertJumpChain(hosts: readonly HostRecord[], hostId: string, jumpHostId: string): void {
  const seen = new Set<string>([hostId]);
  for (let next: string | undefined = jumpHostId; next !== undefined;) {
    if (seen.has(next)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        'These jump hosts form a loop (a host would be reached through itself). Choose another jump host.',
        {
          field: 'jumpHostId',
        },
      );
    }
    seen.add(next);
    const jump = hosts.find((host) => host.id === next);
    if (jump === undefined) throw new AppError('NOT_FOUND', 'The jump host is not in the inventory.', { field: 'jumpHostId' });
    next = jump.jumpHostId;
  }
}
