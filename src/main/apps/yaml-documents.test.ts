import { describe, expect, it } from 'vitest';
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
