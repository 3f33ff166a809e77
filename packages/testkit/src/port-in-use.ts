// Apart from probe.ts, which needs the Kafka clients: the registry's start-up checks its port too, and must
// not import the broker's client modules for it.
import { createServer } from 'node:net';

/** Whether something already listens on the port (tried by binding it ourselves). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(false));
    });
  });
}
