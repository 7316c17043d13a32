import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../shared/content-security-policy';

describe('Content-Security-Policy', () => {
  it("index.html's meta tag says what the headers say (less frame-ancestors, which a meta tag cannot set)", async () => {
    const html = await readFile(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(contentSecurityPolicy.replace(/; frame-ancestors [^;]+$/, ''));
  });

  it('allows no inline, remote or eval-ed script', () => {
    expect(/script-src ([^;]+)/.exec(contentSecurityPolicy)?.[1]).toBe("'self'");
    expect(contentSecurityPolicy).not.toMatch(/unsafe-eval|https?:|\*/);
  });
});
