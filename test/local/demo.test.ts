// `npm run demo`'s steps, run as the demo runs them (synth of the default app, its own emulators,
// the synthesized state machines, the bundled prediction server, a promotion through the CLI),
// so the demo cannot rot; and nothing it started is left running or listening afterwards.
import '../../local/demo/quiet-logs';
import { connect } from 'node:net';
import { Cleanup } from '../../local/cleanup';
import { DemoReport, runDemo } from '../../local/demo/run-demo';

const NOW = new Date();
const DATE = NOW.toISOString().slice(0, 10);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function running(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

test('the demo trains, scores, serves known / missing / rule-matched ids, and a promotion of an older version changes the answer', async () => {
  const lines: string[] = [];
  const cleanup = new Cleanup();
  let report: DemoReport;
  try {
    report = await runDemo({ out: (l) => lines.push(l), cleanup, date: DATE });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- demo output ---\n${lines.join('\n')}`);
  } finally {
    await cleanup.run();
  }
  const { known, missing, rule, afterPromotion } = report.answers;
  expect(known).toMatchObject({ source: 'model', version: 2, category: 'books' });
  expect(typeof known.prediction).toBe('number');
  expect(missing).toMatchObject({ source: 'fallback', rule: 'typical-store-day', prediction: 50 });
  expect(rule).toMatchObject({ source: 'rule', rule: 'test-store', prediction: 0 });
  expect(afterPromotion).toMatchObject({ source: 'model', version: 1 });
  expect(afterPromotion.prediction).not.toEqual(known.prediction);
  // Every step announced itself, and long steps reported their Task states.
  expect(lines.filter((l) => /^\n\[\d\/5\]/.test(l))).toHaveLength(5);
  expect(lines.some((l) => /training +Train \[books\] done/.test(l))).toBe(true);
  expect(lines.some((l) => /scoring +LoadPart \[toys\] done/.test(l))).toBe(true);
  expect(lines.join('\n')).toMatch(/table platformregistry\w+: pk HASH, sk RANGE; GSI gsi1/);
  expect(lines.join('\n')).toMatch(/TTL on expiresAt/);

  expect(report.ports.length).toBeGreaterThanOrEqual(3);
  for (const port of report.ports) expect(await listening(port)).toBe(false);
  for (const pid of report.pids) expect(running(pid)).toBe(false);
}, 300_000);
