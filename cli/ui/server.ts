// The `mlops ui` web server: node:http on 127.0.0.1 only, serving the page (cli/ui/static), the
// uPlot files from the package's own dependency (no CDN, works offline) and the JSON API.
import { existsSync, readFileSync } from 'node:fs';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { RegistryError } from '../../lambda/shared/registry';
import { ApiError, UiSources, handleApi } from './api';

/** Loopback only: the page shows what the user's AWS credentials can read. */
export const UI_HOST = '127.0.0.1';

/** The folder of the page's files, whether this runs from cli/ui (tests) or dist/cli/ui (the package). */
function staticDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the page's files: no package.json above ${__dirname} (reinstall cdk-mlops)`);
    dir = parent;
  }
  return join(dir, 'cli', 'ui', 'static');
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** URL path to the file it serves. */
function staticFiles(): Record<string, string> {
  const dir = staticDir();
  const uplot = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    '/': join(dir, 'index.html'),
    '/app.js': join(dir, 'app.js'),
    '/style.css': join(dir, 'style.css'),
    '/vendor/uPlot.iife.min.js': join(uplot, 'uPlot.iife.min.js'),
    '/vendor/uPlot.min.css': join(uplot, 'uPlot.min.css'),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // Scripts and styles from this server only; the data is fetched from the same origin.
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

function statusOf(e: unknown): number {
  if (e instanceof ApiError) return e.status;
  if (e instanceof RegistryError) return e.code === 'VALIDATION' ? 400 : e.code === 'NOT_FOUND' ? 404 : 409;
  return 500;
}

/** The server (not listening yet). */
export function createUiServer(sources: UiSources): Server {
  const files = staticFiles();
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const port = (req.socket.address() as AddressInfo).port;
      // A page on another site must not read the registry through this server (DNS rebinding).
      if (![`${UI_HOST}:${port}`, `localhost:${port}`].includes(req.headers.host ?? '')) {
        return sendJson(res, 403, { error: `host ${req.headers.host} is refused: open http://${UI_HOST}:${port}/` });
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `${req.method} is not allowed: the UI only reads (GET)` });
      const url = new URL(req.url ?? '/', `http://${UI_HOST}:${port}`);
      if (url.pathname.startsWith('/api/')) {
        try {
          return sendJson(res, 200, await handleApi(sources, url.pathname.slice('/api/'.length), url.searchParams));
        } catch (e) {
          const status = statusOf(e);
          return sendJson(res, status, { error: status === 500 ? `the registry could not be read: ${(e as Error).message}` : (e as Error).message });
        }
      }
      const file = Object.hasOwn(files, url.pathname) ? files[url.pathname] : undefined;
      if (!file) return sendJson(res, 404, { error: `no page ${url.pathname}: open / (views are #runs, #run/<run>, #compare/<run>,<run>, #model/<model>)` });
      send(res, 200, TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', readFileSync(file));
    })().catch((e: unknown) => { if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message }); });
  });
}

/** Starts the server on 127.0.0.1 (`port` 0 picks a free one); resolves with its URL. */
export async function startUiServer(sources: UiSources, port: number): Promise<{ url: string; server: Server }> {
  const server = createUiServer(sources);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, UI_HOST, () => { server.off('error', reject); resolve(); });
  });
  return { url: `http://${UI_HOST}:${(server.address() as AddressInfo).port}/`, server };
}
