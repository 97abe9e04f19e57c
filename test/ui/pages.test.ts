// Each view of `mlops ui` in headless Chromium (puppeteer-core) over the seeded registry: what
// the page shows (numbers, chart data points, filter results), keyboard use, and a screenshot of
// each view: under docs/ui/ for the README with UPDATE_UI_SCREENSHOTS=1, else in a temp folder
// (a test run leaves the working tree as it found it).
import { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { startUi } from './harness';
import { BOOKS_RMSE, MODEL, seedRegistry } from './seed';

// puppeteer-core is an ES module only: Node's own loader takes it (require(esm), Node >= 20.19),
// jest's module registry cannot, so it is loaded past the registry.
const load = (Module as unknown as { _load(request: string, parent: null, isMain: boolean): { default: typeof import('puppeteer-core').default } })._load;
const puppeteer = load(require.resolve('puppeteer-core'), null, false).default;
// The callbacks below run in the page; the repository compiles without the DOM library.
declare const document: any;
declare const window: any;
declare const location: any;
declare function getComputedStyle(el: any): any;
type HTMLElement = any;
type HTMLButtonElement = any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.UPDATE_UI_SCREENSHOTS ? join(__dirname, '..', '..', 'docs', 'ui') : join(tmpdir(), 'mlops-ui-shots');
let browser: Browser;
let page: Page;
let server: Server;
let url: string;

beforeAll(async () => {
  ({ server, url } = await startUi(await seedRegistry()));
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  // Chart axes show local time: the same pictures on every machine.
  await page.emulateTimezone('UTC');
  page.on('pageerror', (e) => { throw e; });
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server.close(r));
});

/** Opens a view and waits until it is drawn (the heading has the focus, charts have their canvas). */
async function open(hash: string): Promise<void> {
  await page.goto(`${url}${hash}`);
  await page.waitForFunction((h) => {
    const main = document.getElementById('main');
    return main.dataset.shown === h && main.getAttribute('aria-busy') === 'false';
  }, {}, hash);
  await page.waitForFunction(() => [...document.querySelectorAll('figure.chart')].every((f) => f.querySelector('canvas')));
}

const cells = (selector: string) => page.$$eval(`${selector} tbody tr`, (rows) => rows.map((r) => [...r.children].map((c) => (c as HTMLElement).innerText.trim())));
const chartData = (id: string) => page.evaluate((i) => (window as any).mlopsCharts[i], id);
async function shot(name: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

test('runs table: every run, filters from the form, sorting by a metric', async () => {
  await open('#runs');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('view-title');
  expect(await cells('#runs-table')).toHaveLength(13);
  // Keyboard only: choose the category and the status, submit with Enter.
  await page.focus('#f-category');
  await page.keyboard.type('books');
  await page.select('#f-status', 'SUCCEEDED');
  await page.select('#f-sort', 'metric:rmse');
  await page.select('#f-order', 'asc');
  await page.focus('#f-category');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('category=books'));
  await open(await page.evaluate(() => location.hash));
  const rows = await cells('#runs-table');
  // 5 scheduled + 2 experiments of books; sorted by rmse ascending.
  expect(rows.map((r) => r[1])).toEqual(['sched-books-1', 'sched-books-2', 'exp-window-14', 'sched-books-3', 'exp-window-56', 'sched-books-4', 'sched-books-5']);
  const header = await page.$$eval('#runs-table thead th', (ths) => ths.map((th) => th.textContent!.trim()));
  const rmseColumn = header.findIndex((t) => t.startsWith('rmse'));
  expect(rows.map((r) => Number(r[rmseColumn]))).toEqual([41.5, 43.2, 44.1, 46.8, 47.9, 49.1, 52.4]);
  expect(await page.$eval('#runs-table thead th[aria-sort]', (th) => th.getAttribute('aria-sort'))).toBe('ascending');
  // A filter nothing matches says so.
  await open(`#runs?model=${MODEL}&trigger=drift`);
  expect(await page.$eval('#no-runs', (p) => p.textContent)).toBe('No run matches these filters.');
  await open('#runs');
  await shot('runs');
});

test('one run: its metric curve drawn from the series', async () => {
  await open('#run/exp-window-14');
  const rmse = await chartData('series-rmse');
  expect(rmse.points).toBe(20);
  expect(rmse.data[0]).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(rmse.data[1][0]).toBe(90);
  expect(rmse.data[1][19]).toBe(18.75);
  expect(await page.$eval('#series-rmse', (f) => (f as HTMLElement).dataset.points)).toBe('20');
  expect(await page.$eval('#series-rmse-summary', (p) => p.textContent)).toBe('rmse: 20 points, from 90 to 18.75.');
  expect(await cells('#run-metrics')).toEqual([['mae', '30.2'], ['rmse', '44.1']]);
  expect((await cells('#run-artifacts')).map((r) => r.slice(0, 2))).toEqual([['metricSeries', '1'], ['model', '2']]);
  const facts = await page.$$eval('#run-facts > *', (els) => els.map((e) => e.textContent));
  expect(facts.slice(0, 8)).toEqual(['Model', 'demand-forecast', 'Category', 'books', 'Status', 'SUCCEEDED', 'Trigger', 'manual']);
  expect(await page.$eval('main', (m) => m.textContent)).not.toMatch(/null|undefined|\[object/);
  await shot('run');
});

test('comparison: chosen with the keyboard; params diff, metrics, lineage and the curves overlaid', async () => {
  await open(`#runs?model=${MODEL}&category=books&trigger=manual`);
  expect(await page.$eval('#compare-selected', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
  for (const id of ['exp-window-14', 'exp-window-56']) {
    await page.focus(`input[value="${id}"]`);
    await page.keyboard.press('Space');
  }
  expect(await page.$eval('#selected-count', (s) => s.textContent)).toBe('2 selected.');
  await page.focus('#compare-selected');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.startsWith('#compare/'));
  await open(await page.evaluate(() => location.hash));
  expect(await cells('#compare-metrics')).toEqual([['mae', '30.2', '33'], ['rmse', '44.1', '47.9']]);
  for (const table of ['#compare-params', '#compare-lineage']) {
    expect(await page.$$eval(`${table} thead th`, (ths) => ths.map((th) => th.textContent))).toEqual(['Field', 'exp-window-14', 'exp-window-56', 'Differs']);
  }
  expect(await cells('#compare-params')).toEqual([['level_weight', '0.5', '0.5', ''], ['window', '14', '56', 'yes']]);
  expect(await page.$$eval('#compare-params tr.changed th', (t) => t.map((x) => x.textContent))).toEqual(['window']);
  const lineage = Object.fromEntries((await cells('#compare-lineage')).map((r) => [r[0], r.slice(1)]));
  expect(lineage.image).toEqual(['repo@sha256:bbb', 'repo@sha256:aaa', 'yes']);
  expect(lineage.datasetVersion).toEqual(['sha256:books4', 'sha256:books4', '']);
  const overlay = await chartData('overlay-rmse');
  expect(overlay.series).toEqual(['exp-window-14', 'exp-window-56']);
  expect(overlay.points).toBe(32);
  expect(overlay.data[0]).toHaveLength(20);
  expect(overlay.data[2][12]).toBeNull();
  expect(overlay.data[2][0]).toBe(100);
  expect(await page.$eval('main', (m) => m.textContent)).not.toMatch(/null|undefined|\[object/);
  await shot('compare');
});

test('model page: versions, production timeline, drift PSI, freshness against the TTL, production metric with the threshold', async () => {
  await open(`#model/${MODEL}`);
  expect((await cells('#versions-books')).map((r) => r.slice(0, 2))).toEqual([
    ['v5', 'REJECTED'], ['v4', 'REGISTERED'], ['v3', 'REGISTERED'], ['v2 production', 'REGISTERED'], ['v1', 'REGISTERED'],
  ]);
  const timeline = await cells('#timeline-books');
  expect(timeline[1]).toEqual(['2026-11-27 09:00', 'ROLLBACK', 'v4', 'v2', 'cli:ana', 'v4 over-predicts on Mondays']);
  expect(timeline.map((r) => r[1])).toEqual(['REJECTED', 'ROLLBACK', 'PROMOTE', 'PROMOTE', 'PROMOTE']);
  expect(await cells('#drift')).toEqual([
    ['books', 'prediction', '0.31', '2026-11-29 03:10'], ['books', 'store_id', '0.27', '2026-11-29 03:10'],
    ['books', 'units', '0.04', '2026-11-29 03:10'], ['garden', 'units', '0.02', '2026-11-29 03:12'],
  ]);
  const freshness = Object.fromEntries((await cells('#freshness')).map((r) => [r[0], r]));
  expect(freshness.books.slice(1, 3)).toEqual(['FRESH', 'v2']);
  expect(freshness.books[4]).toBe('20');
  expect(freshness.books[6]).toBe('72');
  expect(freshness.garden.slice(1, 3)).toEqual(['EXPIRED', 'v1']);
  const quality = await chartData('quality');
  expect(quality.series).toEqual(['books', 'garden', 'threshold 50']);
  expect(quality.data[1].filter((v: number | null) => v !== null)).toEqual(BOOKS_RMSE);
  expect(new Set(quality.data[3])).toEqual(new Set([50]));
  expect(await page.$eval('main', (m) => m.textContent)).not.toMatch(/null|undefined|\[object/);
  await shot('model');
});

test('keyboard: from the view heading, Shift+Tab walks the nav links back to the skip link, shown with a focus outline', async () => {
  await open('#runs');
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { text: el.textContent, left: el.getBoundingClientRect().left, outline: getComputedStyle(el).outlineStyle };
  });
  await page.keyboard.down('Shift');
  await page.keyboard.press('Tab');
  expect((await focused()).text).toBe(`Model ${MODEL}`);
  await page.keyboard.press('Tab');
  expect((await focused()).text).toBe('Runs');
  await page.keyboard.press('Tab');
  await page.keyboard.up('Shift');
  expect(await focused()).toEqual({ text: 'Skip to content', left: 0, outline: 'solid' });
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => document.activeElement.id)).toBe('main');
});

test('an unknown run shows the reason, and the page stays usable', async () => {
  await open('#run/ghost');
  // The error view may be drawn by a second route() (load and hashchange both route): wait for it.
  await page.waitForSelector('[role="alert"]');
  expect(await page.$eval('[role="alert"]', (p) => p.textContent)).toBe('run ghost does not exist: pick one from GET /api/runs');
});
