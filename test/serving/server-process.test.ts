// The bundled server as the container runs it (`node server.js`, configured by environment):
// on SIGTERM with a kept-alive client connection it closes that connection and exits 0 once
// drained (1 would mean the last-resort deadline fired). Needs `npm run build` first.
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { AddressInfo, Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ENV } from '../../lambda/shared/env';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { PREDICTIONS_SCHEMA } from '../../lambda/shared/predictions/schema';
import { REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { dynamoEndpoint } from '../support/endpoints';
import { createLocalTable } from '../support/dynamo';

const serverJs = join(__dirname, '..', '..', 'build', 'server', 'server.js');

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  s.close();
  await once(s, 'close');
  return port;
}

let proc: ChildProcess | undefined;
afterEach(() => { if (proc && proc.exitCode === null) proc.kill('SIGKILL'); });

test('SIGTERM: the kept-alive connection is closed and the process exits 0 once drained', async () => {
  if (!existsSync(serverJs)) throw new Error(`${serverJs} is missing: run 'npm run build' first`);
  const [predictions, registry] = await Promise.all([
    createLocalTable('predictions', { partitionKey: PREDICTIONS_SCHEMA.partitionKey }),
    createLocalTable('registry', REGISTRY_SCHEMA),
  ]);
  const port = await freePort();
  proc = spawn(process.execPath, [serverJs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      [PREDICT_ENV.port]: String(port),
      [ENV.predictionsTable]: predictions,
      [ENV.registryTable]: registry,
      [PREDICT_ENV.servingConfig]: JSON.stringify({ models: { demand: { categories: ['books'] } } }),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const lines = createInterface({ input: proc.stdout! });
  for await (const line of lines) if (line.includes('prediction server listening')) break;

  const agent = new Agent({ keepAlive: true });
  // A prediction request, so the server also holds kept-alive connections to the store.
  const res = await new Promise<{ connection?: string; socket: Socket; body: string }>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/v1/models/demand/predictions/e1', agent }, (r) => {
      const socket = r.socket as Socket;
      let body = '';
      r.on('data', (c) => { body += c; });
      r.on('end', () => resolve({ connection: r.headers.connection, socket, body }));
    }).on('error', reject);
  });
  expect(res.connection).toBe('keep-alive');
  expect(JSON.parse(res.body)).toMatchObject({ source: 'fallback', reason: 'no-production-version' });
  const clientClosed = once(res.socket, 'close');
  const exited = once(proc, 'exit');

  proc.kill('SIGTERM');
  await clientClosed;
  expect(await exited).toEqual([0, null]);
  agent.destroy();
});
