import { createHash } from 'node:crypto';

/**
 * Deterministic, realistic container log lines for the simulated kubelet: the n-th line of a
 * container is always the same message (its timestamp is when it was "written"). A mix of nginx
 * access lines and application lines with ANSI-coloured levels, a few warnings and errors, as a
 * web front end prints. Every line ends with `rid=<container>-<n>` so tests can check order and gaps.
 *
 * Returns the line maker of one container; the seed is hashed once, so a line costs a few
 * microseconds and a follower can be fed 10,000 lines per second.
 */
export function logLineGenerator(seed: string): (index: number, time: Date) => string {
  const seedHash = createHash('sha256').update(seed).digest();
  const base = seedHash.readUInt32LE(0);
  const container = seedHash.toString('hex').slice(0, 6);
  return (index, time) => {
    const random = generator(base, index);
    const rid = `rid=${container}-${String(index).padStart(6, '0')}`;
    const roll = random();
    if (roll < 0.7) return `${accessLine(random, time)} ${rid}`;
    const level = roll < 0.88 ? INFO : roll < 0.96 ? WARN : ERROR;
    const message = pick(random, level.messages)(random);
    return `${time.toISOString()} ${level.label} [${pick(random, WORKERS)}] ${message} ${rid}`;
  };
}

type Random = () => number;

/** mulberry32, seeded from the container's seed hash and the line's index: fast and reproducible. */
function generator(base: number, index: number): Random {
  let state = (base ^ Math.imul(index + 1, 0x9e37_79b1)) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

const WORKERS = ['main', 'worker-1', 'worker-2', 'worker-3', 'scheduler'] as const;
const PATHS = ['/', '/healthz', '/api/votes', '/api/items?page=2', '/static/app.js', '/static/style.css', '/favicon.ico', '/login'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'kube-probe/1.20', 'curl/7.88.1', 'Go-http-client/1.1'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function accessLine(random: Random, time: Date): string {
  const client = `10.244.${between(random, 0, 3)}.${between(random, 2, 254)}`;
  const method = random() < 0.8 ? 'GET' : 'POST';
  const status = pick(random, [200, 200, 200, 200, 200, 304, 201, 404, 500] as const);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const when = `${pad(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} +0000`;
  return `${client} - - [${when}] "${method} ${pick(random, PATHS)} HTTP/1.1" ${status} ${between(random, 0, 48_000)} "-" "${pick(random, AGENTS)}"`;
}

type Message = (random: Random) => string;

const INFO = {
  label: '\x1b[32mINFO\x1b[0m ',
  messages: [
    (r) => `handled GET /api/votes in ${between(r, 1, 40)}ms`,
    (r) => `vote recorded for ${pick(r, ['Cats', 'Dogs'])} (total ${between(r, 10, 9_000)})`,
    () => 'redis connection pool healthy (8/8 idle)',
    (r) => `cache hit ratio ${between(r, 80, 99)}%`,
    (r) => `served ${between(r, 100, 5_000)} requests in the last minute`,
  ] as Message[],
};
const WARN = {
  label: '\x1b[33mWARN\x1b[0m ',
  messages: [
    (r) => `slow request: POST /api/votes took ${between(r, 500, 2_500)}ms`,
    (r) => `retrying redis command (attempt ${between(r, 2, 4)})`,
    () => 'config value VOTE1VALUE not set, using default "Cats"',
  ] as Message[],
};
const ERROR = {
  label: '\x1b[31mERROR\x1b[0m',
  messages: [
    (r) => `upstream azure-vote-back:6379 timed out after ${between(r, 1, 5)}s`,
    () => "unhandled exception in request handler: KeyError: 'vote'",
    () => 'failed to write metrics: connection refused',
  ] as Message[],
};
