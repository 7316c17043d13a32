/**
 * Multi-document YAML to Kubernetes objects, with every syntax problem as 1-based line and
 * column (the yaml package's own positions), and objects that lack apiVersion, kind or
 * metadata.name reported at their document's first line.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { YamlProblem } from '../../shared/contract/apps';

/** A Kubernetes object as read from YAML: only the fields Nestlab looks at are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export type ParsedDocuments = { ok: true; objects: KubeObject[] } | { ok: false; problems: YamlProblem[] };

export function parseKubeDocuments(text: string): ParsedDocuments {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const problems: YamlProblem[] = [];
  const objects: KubeObject[] = [];
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((document, index) => {
    for (const error of document.errors) {
      const position = lineCounter.linePos(error.pos[0]);
      problems.push({ document: index + 1, line: position.line, column: position.col, message: firstLine(error.message) });
    }
    if (document.errors.length > 0) return;
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return; // an empty document (a trailing ---)
    const start = lineCounter.linePos(document.contents?.range[0] ?? 0);
    const problem = (message: string) => problems.push({ document: index + 1, line: start.line, column: start.col, message });
    if (typeof value !== 'object' || Array.isArray(value)) return problem('A document must be a Kubernetes object (a mapping).');
    const object = value as Record<string, unknown>;
    const metadata = object.metadata as Record<string, unknown> | undefined;
    if (typeof object.apiVersion !== 'string' || object.apiVersion === '') return problem('The object has no apiVersion.');
    if (typeof object.kind !== 'string' || object.kind === '') return problem('The object has no kind.');
    if (object.kind.endsWith('List')) return problem(`${object.kind} is not supported: put each object in its own document.`);
    if (typeof metadata !== 'object' || metadata === null || typeof metadata.name !== 'string' || metadata.name === '') {
      return problem(`The ${object.kind} has no metadata.name.`);
    }
    objects.push(object as KubeObject);
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, objects };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
