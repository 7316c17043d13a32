/**
 * The add/edit host form as plain data: what the user typed (kept as typed, never thrown away),
 * its validation (the same rules the hosts service applies, so most mistakes show before a
 * round trip), and the HostInput or HostPatch it becomes. Secrets are never pre-filled: an
 * empty secret field on an edit means "keep the saved one".
 */
import type { HostAuthInput, HostInput, HostPatch, HostSummary } from '../../../shared/contract';
import type { SerializedError } from '../../../shared/errors';
import { parseHostAddress } from '../../../shared/host-address';

export type AuthKind = HostAuthInput['kind'];

export interface HostDraft {
  name: string;
  address: string;
  port: string;
  user: string;
  os: 'linux' | 'windows';
  authKind: AuthKind;
  keyPath: string;
  privateKey: string;
  passphrase: string;
  password: string;
  /** '' = connect directly. */
  jumpHostId: string;
  storagePath: string;
  sudoPassword: string;
  removeSudoPassword: boolean;
}

export type DraftField = Exclude<keyof HostDraft, 'os' | 'authKind' | 'removeSudoPassword'>;
export type DraftErrors = Partial<Record<DraftField | 'auth', string>>;

export const defaultStoragePath = '/var/lib/libvirt/images';

export function emptyDraft(): HostDraft {
  return {
    name: '',
    address: '',
    port: '22',
    user: '',
    os: 'linux',
    authKind: 'agent',
    keyPath: '',
    privateKey: '',
    passphrase: '',
    password: '',
    jumpHostId: '',
    storagePath: '',
    sudoPassword: '',
    removeSudoPassword: false,
  };
}

/** The form for editing a host: its plain fields; every secret field empty. */
export function draftFromHost(host: HostSummary): HostDraft {
  return {
    ...emptyDraft(),
    name: host.name,
    address: host.address,
    port: String(host.port),
    user: host.user,
    os: host.os,
    authKind: host.auth.kind,
    keyPath: host.auth.keyPath ?? '',
    jumpHostId: host.jumpHostId ?? '',
    storagePath: host.storagePath === defaultStoragePath ? '' : host.storagePath,
  };
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const controlCharacters = /[\u0000-\u001f\u007f]/;

/** The service's rules for names that reach ssh or a shell (see src/main/hosts/shell-quote.ts). */
function checkText(value: string, options: { label: string; max: number; required: boolean; noSpaces?: boolean; noDash?: boolean }) {
  if (value === '') return options.required ? `Enter the ${options.label}.` : undefined;
  if (value.length > options.max) return `The ${options.label} is longer than ${options.max} characters.`;
  if (controlCharacters.test(value)) return `The ${options.label} contains a control character (such as a tab or newline).`;
  if (options.noDash && value.startsWith('-')) return `The ${options.label} cannot start with "-" (it would be read as an option).`;
  if (options.noSpaces && /\s/.test(value)) return `The ${options.label} has no spaces.`;
  return undefined;
}

function checkSecret(value: string, label: string, required: boolean): string | undefined {
  if (value === '') return required ? `Enter the ${label}.` : undefined;
  return value.length > 4096 ? `The ${label} is longer than 4096 characters.` : undefined;
}

const privateKeyPattern = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export interface Submission {
  errors: DraftErrors;
  /** Set when there are no errors: what to send. */
  input?: HostInput;
  patch?: HostPatch;
}

/**
 * Validate the draft and build the call. `host` is the host being edited (undefined: adding).
 * An edit sends only what changed; a secret left empty keeps the saved one.
 */
export function buildSubmission(draft: HostDraft, host?: HostSummary): Submission {
  const errors: DraftErrors = {};
  const note = (field: DraftField, message: string | undefined) => {
    if (message) errors[field] = message;
  };
  const name = draft.name.trim();
  note('name', checkText(name, { label: 'name', max: 128, required: true }));
  const address = parseHostAddress(draft.address);
  if (!address.ok) errors.address = address.message;
  note('user', checkText(draft.user.trim(), { label: 'user name', max: 64, required: true, noSpaces: true, noDash: true }));
  // A port typed after the address ("10.0.0.5:2222", "[fd00::10]:2222") fills in the Port field.
  const typedPort = draft.port.trim();
  const addressPort = address.ok ? address.port : undefined;
  if (addressPort !== undefined && typedPort !== '' && typedPort !== '22' && typedPort !== String(addressPort)) {
    errors.port = `The address says port ${addressPort} and this field ${typedPort}: keep one.`;
  }
  const portText = addressPort !== undefined ? String(addressPort) : typedPort === '' ? '22' : typedPort;
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!errors.port && (!Number.isInteger(port) || port < 1 || port > 65535)) errors.port = 'Enter a port from 1 to 65535.';
  const storagePath = draft.storagePath.trim();
  if (draft.os === 'linux')
    note('storagePath', checkText(storagePath, { label: 'storage path', max: 4096, required: false, noDash: true }));

  const sameKind = host !== undefined && host.auth.kind === draft.authKind;
  let auth: HostAuthInput | undefined;
  switch (draft.authKind) {
    case 'agent':
      auth = { kind: 'agent' };
      break;
    case 'keyFile': {
      const path = draft.keyPath.trim();
      note('keyPath', checkText(path, { label: 'key file path', max: 4096, required: true, noDash: true }));
      note('passphrase', checkSecret(draft.passphrase, 'passphrase', false));
      auth = { kind: 'keyFile', path, ...(draft.passphrase === '' ? {} : { passphrase: draft.passphrase }) };
      break;
    }
    case 'pastedKey': {
      const keepSaved = sameKind && host.hasPrivateKey && draft.privateKey === '';
      if (!keepSaved) {
        if (draft.privateKey.trim() === '') errors.privateKey = 'Paste the private key.';
        else if (!privateKeyPattern.test(draft.privateKey)) errors.privateKey = 'Paste the whole private key, from -----BEGIN to -----END.';
      }
      if (keepSaved && draft.passphrase !== '') errors.privateKey = 'Paste the key again to change its passphrase.';
      note('passphrase', checkSecret(draft.passphrase, 'passphrase', false));
      auth = keepSaved
        ? undefined
        : { kind: 'pastedKey', privateKey: draft.privateKey, ...(draft.passphrase === '' ? {} : { passphrase: draft.passphrase }) };
      break;
    }
    case 'password': {
      const keepSaved = sameKind && host.hasPassword && draft.password === '';
      note('password', checkSecret(draft.password, 'password', !keepSaved));
      auth = keepSaved ? undefined : { kind: 'password', password: draft.password };
      break;
    }
  }
  note('sudoPassword', checkSecret(draft.sudoPassword, 'sudo password', false));
  if (draft.jumpHostId !== '' && host !== undefined && draft.jumpHostId === host.id)
    errors.jumpHostId = 'A host cannot be its own jump host.';
  if (Object.keys(errors).length > 0) return { errors };

  const fields = {
    name,
    address: address.ok ? address.host : '',
    port,
    user: draft.user.trim(),
    os: draft.os,
    ...(draft.os === 'linux' && storagePath !== '' ? { storagePath } : {}),
  };
  if (host === undefined) {
    const input: HostInput = { ...fields, auth: auth ?? { kind: 'agent' } };
    if (draft.sudoPassword !== '') input.sudoPassword = draft.sudoPassword;
    if (draft.jumpHostId !== '') input.jumpHostId = draft.jumpHostId;
    return { errors, input };
  }

  const patch: HostPatch = {};
  if (fields.name !== host.name) patch.name = fields.name;
  if (fields.address !== host.address) patch.address = fields.address;
  if (fields.port !== host.port) patch.port = fields.port;
  if (fields.user !== host.user) patch.user = fields.user;
  if (fields.os !== host.os) patch.os = fields.os;
  const nextStorage = draft.os === 'linux' && storagePath !== '' ? storagePath : defaultStoragePath;
  if (nextStorage !== host.storagePath) patch.storagePath = nextStorage;
  if (auth !== undefined && authChanged(auth, host)) patch.auth = auth;
  if (draft.sudoPassword !== '') patch.sudoPassword = draft.sudoPassword;
  else if (draft.removeSudoPassword && host.hasSudoPassword) patch.sudoPassword = null;
  if (draft.jumpHostId !== (host.jumpHostId ?? '')) patch.jumpHostId = draft.jumpHostId === '' ? null : draft.jumpHostId;
  return { errors, patch };
}

/** Whether an auth built from the form differs from the saved one (a typed secret always counts). */
function authChanged(auth: HostAuthInput, host: HostSummary): boolean {
  if (auth.kind !== host.auth.kind) return true;
  switch (auth.kind) {
    case 'agent':
      return false;
    case 'keyFile':
      return auth.path !== host.auth.keyPath || auth.passphrase !== undefined;
    default:
      return true;
  }
}

const fieldNames = new Set<string>([
  'name',
  'address',
  'port',
  'user',
  'keyPath',
  'privateKey',
  'passphrase',
  'password',
  'jumpHostId',
  'storagePath',
  'sudoPassword',
]);

/**
 * Put an error from the main process next to the field it is about: the service names it in
 * details.field, the schema in details.issues[].path. Undefined when it concerns no one field.
 */
export function fieldErrorFrom(error: SerializedError): { field: DraftField; message: string } | undefined {
  const details = error.details ?? {};
  const named = typeof details.field === 'string' ? details.field : undefined;
  if (named !== undefined && fieldNames.has(named)) return { field: named as DraftField, message: error.message };
  if (Array.isArray(details.issues)) {
    for (const issue of details.issues as { path?: unknown; message?: unknown }[]) {
      const path = Array.isArray(issue.path) ? issue.path.map(String) : [];
      const last = path.at(-1);
      const field = last === 'path' && path.includes('auth') ? 'keyPath' : last;
      if (field !== undefined && fieldNames.has(field)) {
        return { field: field as DraftField, message: typeof issue.message === 'string' ? `Invalid: ${issue.message}.` : error.message };
      }
    }
  }
  return undefined;
}

/** What the form shows in place of a saved secret. */
export function savedSecretHint(
  host: HostSummary | undefined,
  kind: 'password' | 'passphrase' | 'privateKey' | 'sudoPassword',
): string | undefined {
  if (host === undefined) return undefined;
  const saved =
    kind === 'password'
      ? host.hasPassword
      : kind === 'passphrase'
        ? host.hasPassphrase
        : kind === 'privateKey'
          ? host.hasPrivateKey
          : host.hasSudoPassword;
  return saved ? 'Saved. Leave empty to keep it.' : undefined;
}
