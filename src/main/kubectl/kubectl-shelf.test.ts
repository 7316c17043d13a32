import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runProgram } from '../platform/run-program';
import { compareVersions, KubectlShelfService } from './kubectl-shelf';
import { tempDir } from '../../../tests/harness/temp-dir';

let root: string;
beforeEach(async () => {
  root = await tempDir('shelf');
});

/** A program that answers `version --client -o json` as a kubectl of `version` would. */
async function fakeKubectl(dir: string, version: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const [major, minor] = version.slice(1).split('.');
  const json = JSON.stringify({ clientVersion: { major, minor, gitVersion: version, platform: 'linux/amd64' } });
  const path = join(dir, 'kubectl');
  await writeFile(path, `#!/bin/sh\necho '${json}'\n`);
  await chmod(path, 0o755);
  return path;
}

function server(gitVersion: string) {
  const [major, minor] = gitVersion.slice(1).split('.').map(Number);
  return { gitVersion, major: major!, minor: minor! };
}

describe('KubectlShelfService', () => {
  it('lists bundled (one per folder), added and the first kubectl on PATH, bundled first and newest first', async () => {
    const bundled = join(root, 'bin');
    await fakeKubectl(join(bundled, 'kubectl-1.20'), 'v1.20.2');
    await fakeKubectl(join(bundled, 'kubectl-1.22'), 'v1.22.17');
    await fakeKubectl(join(root, 'shelf', 'v1.21.0'), 'v1.21.0');
    const pathA = join(root, 'path-a');
    await fakeKubectl(pathA, 'v1.30.1');
    await fakeKubectl(join(root, 'path-b'), 'v1.31.0');
    const shelf = new KubectlShelfService({
      bundledDir: bundled,
      shelfDir: join(root, 'shelf'),
      path: [pathA, join(root, 'path-b')].join(':'),
      run: runProgram,
    });
    const { entries, problems } = await shelf.list();
    expect(entries.map((entry) => [entry.source, entry.version, entry.minor])).toEqual([
      ['bundled', 'v1.22.17', 22],
      ['bundled', 'v1.20.2', 20],
      ['added', 'v1.21.0', 21],
      ['path', 'v1.30.1', 30],
    ]);
    expect(problems).toEqual([]);
    expect(await shelf.defaultKubectl()).toMatchObject({ available: true, version: 'v1.22.17', source: 'bundled' });
  });

  it('gives a server the same minor first, then one newer, then one older, and warns when none is within one', async () => {
    const bundled = join(root, 'bin');
    await fakeKubectl(join(bundled, 'a'), 'v1.20.2');
    await fakeKubectl(join(bundled, 'b'), 'v1.22.0');
    const shelf = new KubectlShelfService({ bundledDir: bundled, path: '', run: runProgram });

    const same = await shelf.forServer(server('v1.20.15'));
    expect(same.kubectl).toMatchObject({ version: 'v1.20.2' });
    expect(same.note).toEqual({ tone: 'info', text: 'kubectl v1.20.2 (bundled) for server v1.20.15', serverVersion: 'v1.20.15' });

    // 1.21: both are one minor away; the newer client is kubectl's documented direction.
    expect((await shelf.forServer(server('v1.21.3'))).kubectl).toMatchObject({ version: 'v1.22.0' });
    expect((await shelf.forServer(server('v1.23.1'))).kubectl).toMatchObject({ version: 'v1.22.0' });
    expect((await shelf.forServer(server('v1.19.0'))).kubectl).toMatchObject({ version: 'v1.20.2' });

    const none = await shelf.forServer(server('v1.30.0'));
    expect(none.kubectl).toMatchObject({ available: true, version: 'v1.22.0' });
    expect(none.note?.tone).toBe('warning');
    expect(none.note?.text).toBe(
      'No kubectl on the shelf is within one minor version of server v1.30.0; using kubectl v1.22.0, which kubectl does not support. ' +
        'Add a kubectl 1.29-1.31 in Settings (kubectl shelf).',
    );

    const unknown = await shelf.forServer({ problem: 'connection refused' });
    expect(unknown.note).toEqual({
      tone: 'warning',
      text: "The server's version could not be read (connection refused), so kubectl could not be matched to it; using kubectl v1.22.0.",
    });
  });

  it('adds a kubectl as a copy it asked, from the file or from a bundle folder, and removes it again', async () => {
    const shelf = new KubectlShelfService({ shelfDir: join(root, 'shelf'), path: '', run: runProgram });
    // The real kubectls are added in tests/integration/terminals/kubectl-shelf.test.ts.
    const added = await shelf.add(await fakeKubectl(join(root, 'download'), 'v1.32.4'));
    expect(added.entries).toHaveLength(1);
    const entry = added.entries[0]!;
    expect(entry).toMatchObject({ source: 'added', platform: 'linux/amd64' });
    expect(entry.version).toBe('v1.32.4');
    expect(entry.path).toBe(join(root, 'shelf', entry.version, 'kubectl'));

    await expect(shelf.add(join(root, 'download', 'kubectl'))).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: `kubectl ${entry.version} is already on the shelf (${entry.path}).`,
    });

    const bundle = join(root, 'bundle');
    await fakeKubectl(join(bundle, 'bin'), 'v1.20.2');
    expect((await shelf.add(bundle)).entries.map((item) => item.version)).toEqual([entry.version, 'v1.20.2']);

    const after = await shelf.remove(entry.path);
    expect(after.entries.map((item) => item.version)).toEqual(['v1.20.2']);
    await expect(shelf.remove('/usr/bin/kubectl')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // No half-added copies are left behind.
    expect((await readdir(join(root, 'shelf'))).sort()).toEqual(['v1.20.2']);
  });

  it('refuses a file that is not a kubectl, naming it, and keeps nothing of it', async () => {
    const shelf = new KubectlShelfService({ shelfDir: join(root, 'shelf'), path: '', run: runProgram });
    const notes = join(root, 'notes.txt');
    await writeFile(notes, 'shopping list\n');
    await expect(shelf.add(notes)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(new RegExp(`^${notes} is not a kubectl this computer can run: .*Choose a kubectl built for linux/`)),
    });
    const liar = join(root, 'liar');
    await writeFile(liar, '#!/bin/sh\necho "Client Version: v1.2.3"\n');
    await expect(shelf.add(liar)).rejects.toThrow(/printed no kubectl client version/);
    await expect(shelf.add(join(root, 'missing'))).rejects.toThrow(/cannot be read \(ENOENT\)\. Check the path\./);
    await expect(shelf.add(root)).rejects.toThrow(/holds no kubectl \(looked for bin\/kubectl and kubectl\)/);
    expect(await readdir(join(root, 'shelf'))).toEqual([]);
  });

  it('lists a kubectl that does not run as a problem, not as an entry', async () => {
    const broken = join(root, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'kubectl'), '#!/bin/sh\necho crashed >&2\nexit 2\n');
    await chmod(join(broken, 'kubectl'), 0o755);
    const shelf = new KubectlShelfService({ path: broken, run: runProgram });
    const listed = await shelf.list();
    expect(listed.entries).toEqual([]);
    expect(listed.problems).toEqual([{ path: join(broken, 'kubectl'), reason: expect.stringContaining('crashed') }]);
  });
});

describe('compareVersions', () => {
  it('compares numbers, not text', () => {
    expect(['v1.20.10', 'v1.9.0', 'v1.20.2', 'v1.21.0'].sort(compareVersions)).toEqual(['v1.9.0', 'v1.20.2', 'v1.20.10', 'v1.21.0']);
  });
});
