import { ModelRegistryClient } from '../../lambda/shared/registry';
import { run, seededRegistry } from './support';

let registry: ModelRegistryClient;
const now = () => new Date('2026-11-20T12:00:00Z');
const cli = (...argv: string[]) => run(argv, { registry, now, cwd: '/nonexistent' });

beforeAll(async () => {
  ({ registry } = await seededRegistry());
});

describe('version status history (issue 11 #4)', () => {
  test('every status change is kept, not only the last: who, when, why', async () => {
    await registry.setVersionStatus({ model: 'demand', category: 'books', version: 3, status: 'PENDING_APPROVAL', actor: 'pipeline:x', reason: 'rmse 0.45; waiting for approval' });
    await registry.setVersionStatus({ model: 'demand', category: 'books', version: 3, status: 'REJECTED', actor: 'bob', reason: 'leaky feature' });
    await registry.setVersionStatus({ model: 'demand', category: 'books', version: 2, status: 'APPROVED', actor: 'alice', reason: 'backtest ok' });

    const all = (await registry.listStatusHistory('demand', 'books')).items;
    expect(all.map((c) => `v${c.version} ${c.status} ${c.actor} ${c.reason}`)).toEqual([
      'v2 APPROVED alice backtest ok',
      'v3 REJECTED bob leaky feature',
      'v3 PENDING_APPROVAL pipeline:x rmse 0.45; waiting for approval',
    ]);
    expect(all[0].at > all[1].at).toBe(true);
    // The version item still holds the last change.
    expect(await registry.getVersion('demand', 'books', 3)).toMatchObject({ status: 'REJECTED', statusChangedBy: 'bob' });
    expect((await registry.listStatusHistory('demand', 'books', { version: 3 })).items.map((c) => c.status)).toEqual(['REJECTED', 'PENDING_APPROVAL']);
  });

  test('mlops history shows status changes next to promotions, newest first', async () => {
    const r = await cli('history', 'demand', '--category', 'books');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^AT\s+CATEGORY\s+KIND\s+FROM\s+TO\s+ACTOR\s+REASON/);
    expect(lines[1]).toMatch(/books\s+APPROVED\s+-\s+v2\s+alice\s+backtest ok/);
    expect(lines[2]).toMatch(/books\s+REJECTED\s+-\s+v3\s+bob\s+leaky feature/);
    expect(lines[3]).toMatch(/books\s+PENDING_APPROVAL\s+-\s+v3\s+pipeline:x/);
    expect(lines[4]).toMatch(/books\s+PROMOTE\s+-\s+v1\s+pipeline\s+first version/);
    const j = JSON.parse((await cli('history', 'demand', '--category', 'books', '--json')).out);
    expect(j[1]).toMatchObject({ kind: 'STATUS', version: 3, status: 'REJECTED', actor: 'bob', reason: 'leaky feature' });
  });

  test('a status change of a missing version records nothing', async () => {
    await expect(registry.setVersionStatus({ model: 'demand', category: 'books', version: 99, status: 'APPROVED', actor: 'alice', reason: 'x' })).rejects.toThrow(/version 99 of demand\/books/);
    expect((await registry.listStatusHistory('demand', 'books', { version: 99 })).items).toEqual([]);
  });
});
