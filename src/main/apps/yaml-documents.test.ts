import { describe, expect, it } from 'vitest';
import { TOO_MANY_ALIASES_MESSAGE } from '../platform/yaml-aliases';
import { parseKubeDocuments } from './yaml-documents';

describe('parseKubeDocuments', () => {
  it('reads every document of a stream and skips empty ones', () => {
    const result = parseKubeDocuments(
      '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n',
    );
    expect(result.ok && result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/a', 'Secret/b']);
  });

  it('reports a syntax error with its document, 1-based line and column', () => {
    const result = parseKubeDocuments(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\n',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ document: 2 });
    expect(result.problems[0]?.line).toBe(8);
    expect(result.problems[0]?.column).toBeGreaterThanOrEqual(3);
  });

  it('reports bad indentation where it happens', () => {
    const result = parseKubeDocuments('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n bad: indent\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.line).toBe(5);
  });

  it('names objects that are not Kubernetes objects, at their first line', () => {
    const result = parseKubeDocuments(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\nkind: ConfigMap\nmetadata: {name: b}\n---\n- a list\n---\napiVersion: v1\nkind: List\nmetadata: {name: c}\n',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.document, p.line, p.message])).toEqual([
      [2, 6, 'The object has no apiVersion.'],
      [3, 9, 'A document must be a Kubernetes object (a mapping).'],
      [4, 11, 'List is not supported: put each object in its own document.'],
    ]);
  });
});

describe('parseKubeDocuments, as kubectl apply -f reads files', () => {
  it('reads a List as its items, each from the List document', () => {
    const result = parseKubeDocuments(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n- {apiVersion: v1, kind: Secret, metadata: {name: c}}\n',
    );
    expect(result.ok && result.objects.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(result.ok && result.documents).toEqual([1, 2, 2]);
  });

  it('refuses an alias bomb with the same message as a kubeconfig, without expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 9; level += 1)
      lines.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(',')}]`,
      );
    const result = parseKubeDocuments(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.message).toBe(TOO_MANY_ALIASES_MESSAGE);
  });
});
