import { Client } from 'ssh2';

/**
 * Creates the ssh2 Client every connection uses. Injected so tests (and the benchmark) point
 * Nestlab at a real sshd on loopback, and a future transport (say, a proxy command) can be added
 * in one place.
 */
export type SshClientFactory = () => Client;

/** The production factory: a plain ssh2 Client. */
export const createSshClient: SshClientFactory = () => new Client();
