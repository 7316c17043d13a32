/// <reference types="vite/client" />

/** What the preload exposes (see src/preload/index.ts); absent in browser mode. */
interface NestlabBridge {
  invoke(domain: string, method: string, args: unknown[]): Promise<unknown>;
  subscribe(domain: string, event: string, listener: (payload: unknown) => void): () => void;
}

interface Window {
  nestlab?: NestlabBridge;
}

declare const __NESTLAB_VERSION__: string;
