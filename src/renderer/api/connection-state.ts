/** How the renderer's link to the main process is doing; shown in the status bar. */
export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'connected'; transport: 'ipc' | 'websocket' }
  | { status: 'reconnecting'; attempt: number; retryInMs: number }
  | { status: 'refused'; message: string };
