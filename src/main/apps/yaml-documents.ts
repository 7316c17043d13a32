/**
 * Multi-document YAML to Kubernetes objects, with every syntax problem as 1-based line and
 * column (the yaml package's own positions), and objects that lack apiVersion, kind or
 * metadata.name reported at their document's first line. A `kind: List` document (as
 * `kubectl get -o yaml` writes) stands for its items, as `kubectl apply -f` reads it.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { YamlProblem } from '../../shared/contract/apps';
import { MAX_ALIAS_COUNT, TOO_MANY_ALIASES_MESSAGE, isAliasLimitError } from '../platform/yaml-aliases';

/** A Kubernetes object as read from YAML: only the fields Nestlab looks at are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** `documents[i]` is the 1-based document `objects[i]` came from (several objects for a List). */
export type ParsedDocuments = { ok: true; objects: KubeObject[]; documents: number[] } | { ok: false; problems: YamlProblem[] };

export function parseKubeDocuments(text: string): ParsedDocuments {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const problems: YamlProblem[] = [];
  const objects: KubeObject[] = [];
  const documents: number[] = [];
  const list = Array.isArray(parsed) ? parsed : [parsed];
  list.forEach((document, index) => {
    for (const error of document.errors) {
      const position = lineCounter.linePos(error.pos[0]);
      problems.push({ document: index + 1, line: position.line, column: position.col, message: firstLine(error.message) });
    }
    if (document.errors.length > 0) return;
    const start = lineCounter.linePos(document.contents?.range[0] ?? 0);
    const problem = (message: string) => problems.push({ document: index + 1, line: start.line, column: start.col, message });
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      return problem(isAliasLimitError(error) ? TOO_MANY_ALIASES_MESSAGE : `The document could not be read: ${firstLine(String(error))}`);
    }
    if (value === null || value === undefined) return; // an empty document (a trailing ---)
    if (typeof value !== 'object' || Array.isArray(value)) return problem('A document must be a Kubernetes object (a mapping).');
    const record = value as Record<string, unknown>;
    if (record.kind === 'List' && Array.isArray(record.items)) {
      record.items.forEach((item: unknown, position) => {
        const message = objectProblem(item);
        if (message) problem(`Item ${position + 1} of the List: ${message}`);
        else {
          objects.push(item as KubeObject);
          documents.push(index + 1);
        }
      });
      return;
    }
    const message = objectProblem(value);
    if (message) return problem(message);
    objects.push(value as KubeObject);
    documents.push(index + 1);
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, objects, documents };
}

/** Why a value is not a Kubernetes object Nestlab can apply, or undefined when it is one. */
function objectProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'A document must be a Kubernetes object (a mapping).';
  const object = value as Record<string, unknown>;
  const metadata = object.metadata as Record<string, unknown> | undefined;
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') return 'The object has no apiVersion.';
  if (typeof object.kind !== 'string' || object.kind === '') return 'The object has no kind.';
  if (object.kind.endsWith('List')) return `${object.kind} is not supported: put each object in its own document.`;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.name !== 'string' || metadata.name === '') {
    return `The ${object.kind} has no metadata.name.`;
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
