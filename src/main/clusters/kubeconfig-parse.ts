/**
 * Kubeconfig text -> a shape-checked raw object, with every problem listed at once. YAML is parsed
 * with limits: size is checked before parsing, aliases are capped (alias bombs), and YAML errors
 * carry their line and column.
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { KubeconfigProblem } from '../../shared/contract/clusters';
import type { Checked } from './kubeconfig-model';
import { execApiVersions } from './kubeconfig-model';
import { dictOf } from './name-dict';
import { MAX_ALIAS_COUNT, TOO_MANY_ALIASES_MESSAGE, isAliasLimitError } from '../platform/yaml-aliases';

/** Kubeconfigs are kilobytes; anything over this is refused before parsing. */
export const MAX_KUBECONFIG_BYTES = 4 * 1024 * 1024;
export { MAX_ALIAS_COUNT } from '../platform/yaml-aliases';

const clusterSchema = z.looseObject({
  server: z.string().min(1, 'server is required'),
  'certificate-authority': z.string().min(1).optional(),
  'certificate-authority-data': z.string().min(1).optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
  'proxy-url': z.string().optional(),
});

const execSchema = z.looseObject({
  command: z.string().min(1, 'command is required'),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string().min(1), value: z.string() })).nullish(),
  apiVersion: z.string().min(1, 'apiVersion is required'),
  installHint: z.string().optional(),
  provideClusterInfo: z.boolean().optional(),
  interactiveMode: z.string().optional(),
});

const userSchema = z.looseObject({
  token: z.string().min(1).optional(),
  tokenFile: z.string().min(1).optional(),
  'token-file': z.string().min(1).optional(),
  'client-certificate': z.string().min(1).optional(),
  'client-certificate-data': z.string().min(1).optional(),
  'client-key': z.string().min(1).optional(),
  'client-key-data': z.string().min(1).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  exec: execSchema.nullish(),
  // Its config keys are names from the file: `__proto__` too stays a key (name-dict.ts).
  'auth-provider': z.object({ name: z.string().min(1), config: dictOf(z.string()).nullish() }).nullish(),
});

const named = <T extends z.ZodType>(key: string, inner: T) => z.object({ name: z.string().min(1, 'name is required'), [key]: inner });

const entrySchemas = {
  clusters: named('cluster', clusterSchema),
  users: named('user', userSchema),
  contexts: named(
    'context',
    z.looseObject({ cluster: z.string().min(1, 'cluster is required'), user: z.string().optional(), namespace: z.string().optional() }),
  ),
};

/** The top level only; each entry is checked on its own, so one bad entry does not hide the others' problems. */
const kubeconfigSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  clusters: z.array(z.unknown()).nullish(),
  users: z.array(z.unknown()).nullish(),
  contexts: z.array(z.unknown()).nullish(),
  'current-context': z.string().nullish(),
});

export type RawCluster = z.infer<typeof clusterSchema>;
export type RawUser = z.infer<typeof userSchema>;
export interface RawKubeconfig {
  clusters: { name: string; cluster: RawCluster }[];
  users: { name: string; user: RawUser }[];
  contexts: { name: string; context: { cluster: string; user?: string | undefined; namespace?: string | undefined } }[];
  currentContext?: string;
  /** Entries with a name but a bad shape (left out above; references to them are not "undefined"). */
  invalid?: { clusters: string[]; users: string[]; contexts: string[] };
}

/** Parse and shape-check one kubeconfig's text. `source` names it in every problem. */
export function parseKubeconfigText(text: string, source: string): Checked<RawKubeconfig> {
  const problem = (message: string, line?: number, column?: number): Checked<RawKubeconfig> => ({
    ok: false,
    problems: [{ source, message, ...(line === undefined ? {} : { line, column }) }],
  });
  if (Buffer.byteLength(text) > MAX_KUBECONFIG_BYTES) {
    return problem(
      `The file is larger than ${MAX_KUBECONFIG_BYTES / 1024 / 1024} MB; a kubeconfig is a few kilobytes. Choose the right file.`,
    );
  }
  if (text.trim() === '') return problem('The file is empty.');

  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(documents)) return problem('The file is empty.');
  const yamlProblems: KubeconfigProblem[] = [];
  for (const document of documents) {
    for (const error of document.errors) {
      const position = error.linePos?.[0];
      yamlProblems.push({
        source,
        message: `Invalid YAML${position ? ` at line ${position.line}, column ${position.col}` : ''}: ${firstLine(error.message)}`,
        ...(position ? { line: position.line, column: position.col } : {}),
      });
    }
  }
  if (yamlProblems.length > 0) return { ok: false, problems: yamlProblems };
  if (documents.length > 1) return problem(`The file holds ${documents.length} YAML documents; a kubeconfig is one.`);

  let value: unknown;
  try {
    value = documents[0]!.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return problem(isAliasLimitError(error) ? TOO_MANY_ALIASES_MESSAGE : `The YAML could not be read: ${firstLine(message)}`);
  }

  if (value === null || value === undefined) return problem('The file is empty.');
  if (Array.isArray(value)) return problem('The file holds a YAML list, not a kubeconfig (a mapping with clusters, users and contexts).');
  if (typeof value !== 'object') return problem(`The file holds a single ${typeof value} value, not a kubeconfig.`);
  const record = value as Record<string, unknown>;
  if (typeof record.kind === 'string' && record.kind !== 'Config') {
    return problem(`The file is a Kubernetes ${record.kind}${apiVersionOf(record)}, not a kubeconfig (kind: Config).`);
  }
  if (!('clusters' in record) && !('contexts' in record) && !('users' in record)) {
    return problem('The file is YAML but not a kubeconfig: it has no clusters, users or contexts.');
  }

  const parsed = kubeconfigSchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ source, message: `${describePath(record, issue.path)}: ${issue.message}` })),
    };
  }
  const data = parsed.data;
  const shapeProblems: KubeconfigProblem[] = [];
  const invalid = { clusters: [] as string[], users: [] as string[], contexts: [] as string[] };
  const entries = <T extends z.ZodType>(list: keyof typeof entrySchemas, schema: T): z.output<T>[] =>
    (data[list] ?? []).flatMap((item, index) => {
      const entry = schema.safeParse(item);
      if (entry.success) return [entry.data];
      for (const issue of entry.error.issues) {
        shapeProblems.push({ source, message: `${describePath(record, [list, index, ...issue.path])}: ${issue.message}` });
      }
      const name = (item as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && name !== '') invalid[list].push(name);
      return [];
    });
  const raw: RawKubeconfig = {
    clusters: entries('clusters', entrySchemas.clusters) as RawKubeconfig['clusters'],
    users: entries('users', entrySchemas.users) as RawKubeconfig['users'],
    contexts: entries('contexts', entrySchemas.contexts) as RawKubeconfig['contexts'],
    ...(data['current-context'] ? { currentContext: data['current-context'] } : {}),
    invalid,
  };
  const problems = [...shapeProblems, ...duplicateNames(raw, source), ...checkUsers(raw, source)];
  // The well-formed entries come back too, so later checks (certificates, references) are listed in the same answer.
  return problems.length > 0 ? { ok: false, problems, partial: raw } : { ok: true, value: raw };
}

function duplicateNames(raw: RawKubeconfig, source: string): KubeconfigProblem[] {
  const problems: KubeconfigProblem[] = [];
  for (const [kind, list] of [
    ['cluster', raw.clusters],
    ['user', raw.users],
    ['context', raw.contexts],
  ] as const) {
    const seen = new Set<string>();
    for (const { name } of list) {
      if (seen.has(name)) problems.push({ source, message: `${kind} "${name}" is defined twice in this file.` });
      seen.add(name);
    }
  }
  return problems;
}

function checkUsers(raw: RawKubeconfig, source: string): KubeconfigProblem[] {
  const problems: KubeconfigProblem[] = [];
  for (const { name, user } of raw.users) {
    if (user.exec && !(execApiVersions as readonly string[]).includes(user.exec.apiVersion)) {
      problems.push({
        source,
        message: `user "${name}": exec apiVersion "${user.exec.apiVersion}" is not one of ${execApiVersions.join(', ')}.`,
      });
    }
    if (user.exec && user['auth-provider']) {
      problems.push({ source, message: `user "${name}" has both exec and auth-provider; kubectl refuses that too. Keep one.` });
    }
  }
  return problems;
}

/** `users[2].user.token` as `user "bob": token`, which a person can find in the file. */
function describePath(record: Record<string, unknown>, path: PropertyKey[]): string {
  const [list, index, ...rest] = path.map(String);
  if ((list === 'clusters' || list === 'users' || list === 'contexts') && index !== undefined) {
    const entry = (record[list] as unknown[] | undefined)?.[Number(index)] as { name?: unknown } | undefined;
    const kind = list.slice(0, -1);
    const label = typeof entry?.name === 'string' ? `${kind} "${entry.name}"` : `${list}[${index}]`;
    const field = rest.filter((part) => part !== kind).join('.');
    return field ? `${label}: ${field}` : label;
  }
  return path.length > 0 ? path.map(String).join('.') : 'kubeconfig';
}

function apiVersionOf(record: Record<string, unknown>): string {
  return typeof record.apiVersion === 'string' ? ` (${record.apiVersion})` : '';
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
