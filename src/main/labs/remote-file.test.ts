import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileArgv } from './remote-file';
import { tempDir } from '../../../tests/harness/temp-dir';

let dir: string;

beforeEach(async () => {
  dir = await tempDir('remote-file');
});

/** Runs the write command with POSIX sh, as a lab machine does, feeding `sent` (maybe less than `content`). */
function write(path: string, content: string, sent = content): Promise<{ code: number | null; stderr: string }> {
  const [program, ...args] = writeFileArgv(path, '0600', content);
  const child = spawn(program ?? 'sh', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(sent);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('writeFileArgv (run by sh, as on a lab machine)', () => {
  it('writes the whole content with the mode, leaving no temporary file', async () => {
    const path = join(dir, 'etc', 'nestlab', 'join.yaml');
    expect(await write(path, 'token: abcdef.0123456789abcdef\n')).toEqual({ code: 0, stderr: '' });
    expect(await readFile(path, 'utf8')).toBe('token: abcdef.0123456789abcdef\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'etc', 'nestlab'))).toEqual(['join.yaml']);
  });

  it('leaves the old file in place when the content is cut short (stdin closed early, as on a dropped connection)', async () => {
    const path = join(dir, 'apiserver-etcd-client.key');
    await writeFile(path, 'the old key\n');
    const key = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
    const result = await write(path, key, key.slice(0, 40));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'apiserver-etcd-client.key was left as it was: the content arrived incomplete (the transfer was cut short)',
    );
    expect(await readFile(path, 'utf8')).toBe('the old key\n');
    expect(await readdir(dir)).toEqual(['apiserver-etcd-client.key']);
  });

  it('replaces a file with the new content in one rename; a name with spaces or quotes stays one path', async () => {
    const path = join(dir, 'it\'s a "file" $(x)');
    await writeFile(path, 'old\n', { mode: 0o644 });
    expect((await write(path, 'new ✓\n')).code).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('new ✓\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
