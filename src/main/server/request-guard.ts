/**
 * The browser-mode server's checks, kept pure so each rule has its own test. The server binds
 * 127.0.0.1 only; these stop other local pages (foreign Origin), DNS rebinding (foreign Host)
 * and other local programs without the per-launch token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** WebSocket subprotocols: the RPC protocol name and the token carried beside it. */
export const rpcProtocol = 'nestlab.rpc.v1';
export const tokenProtocolPrefix = 'nestlab.token.';

export type Refusal = { status: 400 | 401 | 403 | 421; code: 'UNAUTHORIZED_CALLER'; message: string };

export interface GuardOptions {
  port: number;
  token: string;
}

/** 32 random bytes, base64url: valid inside a URL fragment and a WebSocket subprotocol. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

/** Host header against the allow-list: a rebinding page's Host names the attacker's domain. */
export function checkHost(host: string | undefined, port: number): Refusal | undefined {
  if (host !== undefined && allowedHosts(port).includes(host.toLowerCase())) return undefined;
  return {
    status: 421,
    code: 'UNAUTHORIZED_CALLER',
    message: `Refused: Host "${host ?? ''}" is not this Nestlab server. Open http://127.0.0.1:${port}/ instead.`,
  };
}

/** Origin must be exactly this server's own; a missing Origin is refused too (browsers always send one). */
export function checkOrigin(origin: string | undefined, port: number): Refusal | undefined {
  if (origin !== undefined && allowedOrigins(port).includes(origin)) return undefined;
  return {
    status: 403,
    code: 'UNAUTHORIZED_CALLER',
    message: `Refused: requests from origin "${origin ?? '(none)'}" are not allowed. Only Nestlab's own page may connect.`,
  };
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
export function tokenMatches(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkToken(candidate: string | undefined, token: string): Refusal | undefined {
  if (tokenMatches(candidate, token)) return undefined;
  return {
    status: 401,
    code: 'UNAUTHORIZED_CALLER',
    message: 'Refused: the access token is missing or wrong. Open the URL that `npm run start:web` printed for this launch.',
  };
}

/** The token from a Sec-WebSocket-Protocol header ("nestlab.rpc.v1, nestlab.token.XYZ"). */
export function tokenFromProtocols(header: string | undefined): string | undefined {
  const protocols = (header ?? '').split(',').map((part) => part.trim());
  const entry = protocols.find((protocol) => protocol.startsWith(tokenProtocolPrefix));
  return entry?.slice(tokenProtocolPrefix.length);
}

/** The token from "Authorization: Bearer XYZ". */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header ?? '');
  return match?.[1];
}
