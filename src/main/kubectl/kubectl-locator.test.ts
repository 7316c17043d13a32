import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../platform/run-program';
import { locateKubectl, parseClientVersion } from './kubectl-locator';
import { tempDir } from '../../../tests/harness/temp-dir';

async function folderWithProgram(name: string, script: string): Promise<string> {
  const dir = await tempDir('bin');
  await writeFile(join(dir, name), `#!/bin/sh\n${script}\n`);
  await chmod(join(dir, name), 0o755);
  return dir;
}

describe('locateKubectl', () => {
  it('finds the real kubectl on PATH and reports its client version', async () => {
    const status = await locateKubectl({ path: '/usr/local/bin:/usr/bin', run: runProgram });
    expect(status).toMatchObject({ available: true, source: 'path' });
    if (!status.available) throw new Error(status.reason);
    expect(status.version).toMatch(/^v1\.\d+\.\d+/);
  });

  it('prefers a bundled kubectl over PATH', async () => {
    const bundled = await folderWithProgram('kubectl', `echo '{"clientVersion":{"gitVersion":"v9.9.9-bundled"}}'`);
    const status = await locateKubectl({ bundledDir: bundled, path: '/usr/bin', run: runProgram });
    expect(status).toEqual({ available: true, path: join(bundled, 'kubectl'), source: 'bundled', version: 'v9.9.9-bundled' });
  });

  it('says kubectl is missing, with what to do, when no folder has it', async () => {
    const status = await locateKubectl({ path: await tempDir('empty'), run: runProgram });
    expect(status.available).toBe(false);
    if (status.available) return;
    expect(status.reason).toContain('not found');
    expect(status.reason).toContain('never downloads');
  });

  it('reports a kubectl that fails to run instead of pretending it works', async () => {
    const broken = await folderWithProgram('kubectl', 'echo "segfault" >&2; exit 3');
    const status = await locateKubectl({ path: broken, run: runProgram });
    expect(status).toMatchObject({ available: false });
    if (status.available) return;
    expect(status.reason).toContain('segfault');
  });
});

describe('parseClientVersion', () => {
  it('rejects output that is not kubectl version JSON', () => {
    expect(() => parseClientVersion('Client Version: v1.2.3')).toThrow(/unexpected format/);
  });
});
