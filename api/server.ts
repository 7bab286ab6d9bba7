import http from 'node:http';
import type { ApiDeps } from './app';
import { createApp } from './app';

export interface RunningApi {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the API on host:port (port 0 picks a free one, as tests do). */
export async function startApi(deps: ApiDeps, port: number, host = '127.0.0.1'): Promise<RunningApi> {
  const app = createApp(deps);
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    server,
    url: `http://${shownHost}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
