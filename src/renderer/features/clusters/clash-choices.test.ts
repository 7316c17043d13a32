import { describe, expect, it } from 'vitest';
import type { NameClash } from '../../../shared/contract';
import { blockingReason, nameProblem, resolutionOf, suggestName, type ClashFormState } from './clash-choices';

const clash = (name: string, otherServer = false): NameClash => ({
  kind: 'user',
  name,
  incomingSource: 'b.yaml',
  existingSource: 'a.yaml',
  effects: {
    replace: [{ context: 'a', server: 'https://a:6443', user: name, credentialsFrom: 'b.yaml', existing: true, otherServer }],
    'keep-existing': [],
  },
});
const taken = { context: new Set<string>(), cluster: new Set<string>(), user: new Set(['admin', 'admin-2']) };

describe('clash choices', () => {
  it('suggests a rename the form accepts, also for names with spaces (was "name ☸ één-2", then refused)', () => {
    const suggested = suggestName('name ☸ één', new Set());
    expect(suggested).toBe('name-☸-één-2');
    expect(nameProblem(suggested, new Set())).toBeUndefined();
    expect(suggestName('admin', taken.user)).toBe('admin-3');
    expect(suggestName('a/b c', new Set())).toBe('a-b-c-2');
  });

  it('says why the import button is disabled', () => {
    const rename = (newName: string): ClashFormState => ({ choice: 'rename', newName, confirmed: false });
    expect(blockingReason([clash('admin')], () => rename('my admin'), taken)).toBe(
      'New name for user "admin": "my admin" has spaces or slashes; a new name cannot.',
    );
    expect(blockingReason([clash('admin')], () => rename('admin-2'), taken)).toBe('New name for user "admin": "admin-2" is taken too.');
    expect(blockingReason([clash('admin')], () => rename(''), taken)).toBe('New name for user "admin": Enter a new name.');
    expect(blockingReason([clash('admin')], () => rename('admin-b'), taken)).toBeUndefined();
  });

  it('needs the tick for a choice that sends credentials to another server, and sends the confirmation only then', () => {
    const replace = (confirmed: boolean): ClashFormState => ({ choice: 'replace', newName: '', confirmed });
    expect(blockingReason([clash('admin', true)], () => replace(false), taken)).toMatch(
      /confirm sending the credentials to the other server/,
    );
    expect(blockingReason([clash('admin', true)], () => replace(true), taken)).toBeUndefined();
    expect(resolutionOf(clash('admin', true), replace(true))).toEqual({
      kind: 'user',
      name: 'admin',
      action: 'replace',
      confirmOtherServer: true,
    });
    // Same server: no tick needed, and no confirmation sent.
    expect(blockingReason([clash('admin')], () => replace(false), taken)).toBeUndefined();
    expect(resolutionOf(clash('admin'), replace(true))).toEqual({ kind: 'user', name: 'admin', action: 'replace' });
  });
});
