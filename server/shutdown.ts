// Graceful stop of the prediction server on SIGTERM (ECS sends it on deployments and scale-in,
// after the load balancer has deregistered the task).
import { Server } from 'node:http';

/**
 * Stops accepting connections and closes the idle kept-alive ones at once; a connection busy
 * with a request is answered with `Connection: close` (see app.ts) and closed after that
 * answer, so clients reconnect to another task instead of sending more requests here.
 * Resolves once every connection is closed.
 */
export function drainServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
