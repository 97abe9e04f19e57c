// Shutdown of the prediction server over real HTTP with keep-alive agents, as the load balancer
// holds its connections: no timing, only events and promises.
import { Agent, IncomingMessage, Server, get } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { PredictionStore } from '../../lambda/shared/predict/store';
import { predictionKey } from '../../lambda/shared/predictions/schema';
import { createPredictionServer } from '../../server/app';
import { drainServer } from '../../server/shutdown';

const NOW = Date.parse('2026-11-24T12:00:00Z');

/** Reads of entity "slow" wait until released; `entered` resolves when one is waiting. */
function gatedStore() {
  let release!: () => void;
  let entered!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  const waiting = new Promise<void>((r) => { entered = r; });
  const item = (pk: string) => ({
    pk, model: 'demand', category: 'books', version: 1, entityId: pk.slice(pk.lastIndexOf('#') + 1),
    prediction: 7, generatedAt: '2026-11-24T06:00:00.000Z', expiresAt: NOW / 1000 + 3600,
  });
  const store: PredictionStore = {
    get: async (pk) => {
      if (pk === predictionKey('demand', 'books', 1, 'slow')) { entered(); await released; }
      return item(pk);
    },
    getMany: async (pks) => ({ items: new Map(pks.map((pk) => [pk, item(pk)] as const)), unprocessed: [] }),
  };
  return { store, release, waiting };
}

interface Reply { status: number; headers: IncomingMessage['headers']; body: unknown; socket: Socket }

function request(port: number, path: string, agent: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const socket = res.socket as Socket;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), socket }));
    }).on('error', reject);
  });
}

describe('shutdown', () => {
  let server: Server;
  const agents: Agent[] = [];
  const keepAlive = () => { const a = new Agent({ keepAlive: true, maxSockets: 1 }); agents.push(a); return a; };

  afterEach(() => {
    agents.forEach((a) => a.destroy());
    server.closeAllConnections();
    server.close();
  });

  test('after SIGTERM a busy kept-alive connection gets its answer with Connection: close, idle ones are closed, and the server stops', async () => {
    const { store, release, waiting } = gatedStore();
    const core = new PredictCore({
      config: parseServingConfig({ models: { demand: { categories: ['books'] } } }),
      store, production: async () => 1, now: () => NOW,
    });
    server = createPredictionServer({ core, onError: () => undefined });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;

    // An idle kept-alive connection, as the load balancer keeps between requests.
    const idle = await request(port, '/v1/models/demand/predictions/e1', keepAlive());
    expect(idle.headers.connection).toBe('keep-alive');
    const idleClosed = once(idle.socket, 'close');
    // A kept-alive connection busy with a request when the signal comes.
    const busyAgent = keepAlive();
    const warm = await request(port, '/v1/models/demand/predictions/e2', busyAgent);
    const busy = request(port, '/v1/models/demand/predictions/slow', busyAgent);
    await waiting;

    const drained = drainServer(server);
    await idleClosed;
    await expect(request(port, '/health', new Agent())).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const busyClosed = once(warm.socket, 'close');
    release();
    const answer = await busy;
    expect(answer.socket).toBe(warm.socket);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ entityId: 'slow', source: 'model', prediction: 7 });
    expect(answer.headers.connection).toBe('close');
    // The busy connection closes after its answer, and with it the server has stopped.
    await busyClosed;
    await drained;
  });
});
