import { describe, expect, it } from 'vitest';
import { checkHost, checkOrigin, checkToken, createToken, tokenFromAuthorization, tokenFromProtocols, tokenMatches } from './request-guard';

describe('request guard', () => {
  it('creates 32-byte tokens, different every launch', () => {
    const token = createToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(createToken()).not.toBe(token);
  });

  it('allows only this server as Host (DNS rebinding names another host)', () => {
    expect(checkHost('127.0.0.1:4000', 4000)).toBeUndefined();
    expect(checkHost('localhost:4000', 4000)).toBeUndefined();
    expect(checkHost('LOCALHOST:4000', 4000)).toBeUndefined();
    for (const host of ['evil.example:4000', '127.0.0.1:4001', '127.0.0.1', undefined, '0.0.0.0:4000']) {
      expect(checkHost(host, 4000)).toMatchObject({ status: 421, code: 'UNAUTHORIZED_CALLER' });
    }
  });

  it('allows only the exact own Origin, and refuses a missing one', () => {
    expect(checkOrigin('http://127.0.0.1:4000', 4000)).toBeUndefined();
    for (const origin of ['http://127.0.0.1:4000.evil.example', 'https://127.0.0.1:4000', 'http://evil.example', 'null', undefined]) {
      expect(checkOrigin(origin, 4000)).toMatchObject({ status: 403 });
    }
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
    expect(checkToken('wrong', 'abc')).toMatchObject({ status: 401 });
  });

  it('reads the token from the WebSocket subprotocols and the Authorization header', () => {
    expect(tokenFromProtocols('nestlab.rpc.v1, nestlab.token.Xy_-9')).toBe('Xy_-9');
    expect(tokenFromProtocols('nestlab.rpc.v1')).toBeUndefined();
    expect(tokenFromAuthorization('Bearer Xy_-9')).toBe('Xy_-9');
    expect(tokenFromAuthorization('Basic Xy')).toBeUndefined();
  });

  it('never repeats the token in a refusal message', () => {
    const token = createToken();
    expect(JSON.stringify(checkToken('nope', token))).not.toContain(token);
  });
});
