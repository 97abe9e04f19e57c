// mlops ui: one page, views chosen by the URL hash (#runs?..., #run/<id>, #compare/<id>,<id>,
// #model/<model>), data from the JSON API of the server that serves this file. No framework:
// DOM built with h(), text always set as text. Every chart's data is kept in
// window.mlopsCharts[<chart id>] (labels and the aligned data arrays) for tests and curious users.
'use strict';

const main = document.getElementById('main');
const statusLine = document.getElementById('status');
window.mlopsCharts = {};
const COLORS = ['#0550ae', '#bc4c00', '#116329', '#8250df', '#a40e26', '#1b7c83'];
const MAX_COMPARE = 5;

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function api(path) {
  const res = await fetch(`/api/${path}`);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

const num = (v) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));
const time = (iso) => (iso ? iso.replace('T', ' ').slice(0, 16) : '-');
const badge = (text) => h('span', { class: `badge ${text}` }, text);
const runLink = (id) => h('a', { href: `#run/${encodeURIComponent(id)}` }, id);

function announce(text) { statusLine.textContent = text; }

/** Replaces the view: a heading that takes the focus (so keyboard and screen reader users land on it), then the content. */
function show(title, ...content) {
  main.replaceChildren(h('h2', { id: 'view-title', tabindex: '-1' }, title), ...content.filter(Boolean));
  main.setAttribute('aria-busy', 'false');
  // Which address the content is for (tests wait on it: a hash change reuses the page).
  main.dataset.shown = location.hash;
  document.title = `${title} - mlops ui`;
  document.getElementById('view-title').focus();
}

function table(caption, columns, rows, opts = {}) {
  return h('table', { id: opts.id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : undefined, 'aria-sort': c.sort }, c.head || c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', { class: r.className, 'data-key': r.key }, r.cells.map((cell, i) => (i === 0 && opts.rowHeader
      ? h('th', { scope: 'row' }, cell)
      : h('td', { class: columns[i].num ? 'num' : undefined }, cell)))))));
}

/**
 * A uPlot line chart. `data` is uPlot's aligned form: [xs, ys1, ys2, ...]. `series` names the y
 * series. `threshold` draws a constant dashed line. The data is also kept on window.mlopsCharts.
 */
function chart(id, title, { data, series, xLabel, yLabel, timeAxis = false, threshold }) {
  const fig = h('figure', { class: 'chart', id });
  const points = data.slice(1).reduce((n, ys) => n + ys.filter((y) => y !== null && y !== undefined).length, 0);
  fig.append(h('figcaption', { id: `${id}-caption` }, title));
  const seriesOpts = series.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, points: { show: data[0].length <= 60 } }));
  const allData = data.slice();
  if (threshold !== undefined && threshold !== null) {
    seriesOpts.push({ label: `threshold ${num(threshold)}`, stroke: '#a40e26', dash: [6, 4], width: 1.5, points: { show: false } });
    allData.push(data[0].map(() => threshold));
  }
  window.mlopsCharts[id] = { title, series: seriesOpts.map((s) => s.label), data: allData, points };
  const holder = h('div', { role: 'img', 'aria-labelledby': `${id}-caption`, 'aria-describedby': `${id}-summary` });
  fig.append(holder, h('p', { id: `${id}-summary`, class: 'note' }, describeChart(series, data, threshold)));
  fig.dataset.points = String(points);
  // uPlot measures its holder: draw once the figure is in the document.
  requestAnimationFrame(() => {
    new uPlot({
      width: 560, height: 260,
      scales: { x: { time: timeAxis } },
      axes: [{ label: xLabel }, { label: yLabel }],
      series: [{ label: xLabel }, ...seriesOpts],
    }, allData, holder);
  });
  return fig;
}

/** A sentence per series: points, first and last value (what a screen reader gets instead of the picture). */
function describeChart(series, data, threshold) {
  const parts = series.map((label, i) => {
    const ys = data[i + 1].filter((y) => y !== null && y !== undefined);
    return ys.length ? `${label}: ${ys.length} points, from ${num(ys[0])} to ${num(ys[ys.length - 1])}` : `${label}: no points`;
  });
  if (threshold !== undefined && threshold !== null) parts.push(`threshold ${num(threshold)}`);
  return `${parts.join('; ')}.`;
}

/** Aligns several [[x, y], ...] series on the union of their x values (null where a series has none). */
function align(seriesPoints) {
  const xs = [...new Set(seriesPoints.flatMap((pts) => pts.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  return [xs, ...seriesPoints.map((pts) => {
    const ys = xs.map(() => null);
    for (const [x, y] of pts) ys[index.get(x)] = y;
    return ys;
  })];
}

// ---------- Runs ----------

const FILTERS = ['model', 'category', 'status', 'trigger', 'since', 'until'];

async function runsView(query) {
  const params = new URLSearchParams(query);
  const [{ models }, listing] = await Promise.all([api('models'), api(`runs?${filterQuery(params)}`)]);
  const sortKey = params.get('sort') || 'startedAt';
  const order = params.get('order') || (sortKey === 'startedAt' ? 'desc' : 'asc');
  const runs = sortRuns(listing.runs, sortKey, order);
  const selected = new Set();

  const field = (name, label, control) => h('label', { for: `f-${name}` }, label, control);
  const select = (name, options) => h('select', { id: `f-${name}`, name }, h('option', { value: '' }, 'any'),
    options.map((o) => h('option', { value: o, selected: params.get(name) === o }, o)));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter and sort runs', onsubmit: (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) next.set(k, v);
    location.hash = `#runs?${next}`;
  } },
  field('model', 'Model', select('model', models)),
  field('category', 'Category', h('input', { id: 'f-category', name: 'category', value: params.get('category') || '', size: 10 })),
  field('status', 'Status', select('status', ['RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED'])),
  field('trigger', 'Trigger', select('trigger', ['schedule', 'manual', 'data-arrival', 'drift'])),
  field('since', 'Started from', h('input', { id: 'f-since', name: 'since', type: 'date', value: params.get('since') || '' })),
  field('until', 'Started until', h('input', { id: 'f-until', name: 'until', type: 'date', value: params.get('until') || '' })),
  field('sort', 'Sort by', h('select', { id: 'f-sort', name: 'sort' },
    [['startedAt', 'start time'], ...listing.metricNames.map((m) => [`metric:${m}`, m])].map(([v, l]) => h('option', { value: v, selected: v === sortKey }, l)))),
  field('order', 'Order', h('select', { id: 'f-order', name: 'order' },
    [['asc', 'ascending'], ['desc', 'descending']].map(([v, l]) => h('option', { value: v, selected: v === order }, l)))),
  h('button', { type: 'submit', class: 'primary' }, 'Apply'));

  const compareButton = h('button', { type: 'button', id: 'compare-selected', disabled: true, onclick: () => {
    location.hash = `#compare/${[...selected].map(encodeURIComponent).join(',')}`;
  } }, 'Compare selected');
  const selectedNote = h('span', { class: 'note', id: 'selected-count' }, `Select 2 to ${MAX_COMPARE} runs to compare them.`);
  const onSelect = (id) => (e) => {
    if (e.target.checked) selected.add(id); else selected.delete(id);
    compareButton.disabled = selected.size < 2 || selected.size > MAX_COMPARE;
    selectedNote.textContent = `${selected.size} selected${selected.size > MAX_COMPARE ? ` (at most ${MAX_COMPARE})` : ''}.`;
  };

  const sortHeader = (key, label) => {
    const active = key === sortKey;
    const nextOrder = active && order === 'asc' ? 'desc' : 'asc';
    const next = new URLSearchParams(params); next.set('sort', key); next.set('order', nextOrder);
    return {
      label, num: key.startsWith('metric:'),
      sort: active ? (order === 'asc' ? 'ascending' : 'descending') : undefined,
      head: h('button', { type: 'button', class: 'sort', onclick: () => { location.hash = `#runs?${next}`; } },
        label, active ? (order === 'asc' ? ' \u25b2' : ' \u25bc') : ''),
    };
  };
  const columns = [
    { label: 'Select' }, { label: 'Run' }, { label: 'Model' }, { label: 'Category' }, { label: 'Status' }, { label: 'Trigger' },
    sortHeader('startedAt', 'Started'), ...listing.metricNames.map((m) => sortHeader(`metric:${m}`, m)), { label: 'Version' }, { label: 'Curves' },
  ];
  const rows = runs.map((r) => ({ key: r.runId, cells: [
    h('input', { type: 'checkbox', 'aria-label': `Select run ${r.runId}`, value: r.runId, onchange: onSelect(r.runId) }),
    runLink(r.runId), h('a', { href: `#model/${encodeURIComponent(r.model)}` }, r.model), r.category, badge(r.status), r.trigger || '-',
    time(r.startedAt), ...listing.metricNames.map((m) => num(r.metrics[m])), r.version ? `v${r.version}` : '-',
    r.seriesMetrics.length ? r.seriesMetrics.join(', ') : '-',
  ] }));
  announce(`${runs.length} run${runs.length === 1 ? '' : 's'} shown.`);
  show('Runs', form,
    h('div', { class: 'toolbar' }, compareButton, selectedNote),
    runs.length ? table(`${runs.length} run${runs.length === 1 ? '' : 's'}${listing.truncated ? ' (the newest only)' : ''}`, columns, rows, { id: 'runs-table' })
      : h('p', { id: 'no-runs' }, 'No run matches these filters.'));
}

function filterQuery(params) {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (params.get(k)) q.set(k, params.get(k));
  return q.toString();
}

/** Sorted by start time or by a metric; runs without the metric always last. */
function sortRuns(runs, key, order) {
  const sign = order === 'desc' ? -1 : 1;
  const value = key.startsWith('metric:') ? (r) => r.metrics[key.slice(7)] : (r) => r.startedAt;
  return runs.slice().sort((a, b) => {
    const va = value(a); const vb = value(b);
    if (va === undefined || vb === undefined) return (va === undefined) - (vb === undefined);
    return (va < vb ? -1 : va > vb ? 1 : 0) * sign;
  });
}

// ---------- One run ----------

/** The run's artifacts as the buckets hold them; a failure to read them is shown in place. */
async function artifactsSection(runId) {
  try {
    const { artifacts } = await api(`runs/${encodeURIComponent(runId)}/artifacts`);
    if (!artifacts.length) return h('p', { class: 'note' }, 'This run recorded no artifacts.');
    return table('Artifacts (in S3)', [{ label: 'Name' }, { label: 'Files', num: true }, { label: 'Size', num: true }, { label: 'URI' }],
      artifacts.map((a) => ({ key: a.name, cells: [a.name, String(a.files), bytes(a.bytes), a.uri] })), { id: 'run-artifacts', rowHeader: true });
  } catch (e) {
    return h('p', { class: 'error' }, `The artifacts could not be listed: ${e.message}`);
  }
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

async function runView(id) {
  const run = await api(`runs/${encodeURIComponent(id)}`);
  const artifacts = await artifactsSection(run.runId);
  const series = run.metricSeries;
  const facts = [
    ['Model', h('a', { href: `#model/${encodeURIComponent(run.model)}` }, run.model)], ['Category', run.category],
    ['Status', badge(run.status)], ['Trigger', run.trigger || '-'], ['Started', time(run.startedAt)], ['Finished', time(run.finishedAt)],
    ['Data', run.datasetVersion || '-'], ['Image', run.image || '-'], ['Version', run.version ? `v${run.version}` : '-'],
    ['Experiment', run.experiment ? 'yes' : 'no'],
  ];
  if (run.failureCause) facts.push(['Failure', run.failureCause]);
  const charts = series ? Object.entries(series.metrics).map(([name, pts]) => chart(`series-${name}`, `${name} by step`, {
    data: align([pts]), series: [name], xLabel: 'step', yLabel: name,
  })) : [];
  show(`Run ${run.runId}`,
    h('dl', { class: 'facts', id: 'run-facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h3', {}, 'Metric curves'),
    series ? h('div', {}, h('p', { class: 'note' }, `${series.points} points from metrics.jsonl${series.complete ? '' : ' (thinned to fit the run record; the whole file is in the run\'s artifacts)'}.`), h('div', { class: 'charts' }, charts))
      : h('p', { class: 'note' }, 'This run wrote no metrics.jsonl.'),
    table('Final metrics', [{ label: 'Metric' }, { label: 'Value', num: true }], Object.entries(run.metrics).sort().map(([k, v]) => ({ cells: [k, num(v)] })), { id: 'run-metrics', rowHeader: true }),
    table('Hyperparameters', [{ label: 'Name' }, { label: 'Value' }], Object.entries(run.hyperparameters).sort().map(([k, v]) => ({ cells: [k, v] })), { rowHeader: true }),
    artifacts,
    Object.keys(run.tags || {}).length ? table('Tags', [{ label: 'Name' }, { label: 'Value' }], Object.entries(run.tags).sort().map(([k, v]) => ({ cells: [k, v] })), { rowHeader: true }) : null,
    (run.notes || []).length ? table('Notes', [{ label: 'When' }, { label: 'Who' }, { label: 'Note' }], run.notes.map((n) => ({ cells: [time(n.at), n.actor, n.text] }))) : null);
}

// ---------- Comparison ----------

async function compareView(ids) {
  const cmp = await api(`compare?runs=${ids.map(encodeURIComponent).join(',')}`);
  const runIds = cmp.runs.map((r) => r.runId);
  // A fresh header per table: a DOM node lives in one place only.
  const head = () => [{ label: 'Field' }, ...runIds.map((id) => ({ label: id, head: runLink(id) })), { label: 'Differs' }];
  const cell = (v) => (v === null ? '-' : typeof v === 'number' ? num(v) : String(v));
  const changedRows = (rows) => rows.map((r) => ({ key: r.name, className: r.changed ? 'changed' : undefined, cells: [r.name, ...r.values.map(cell), r.changed ? 'yes' : ''] }));
  const metricRows = cmp.metrics.map((m) => ({ key: m.name, cells: [m.name, ...m.values.map(cell)] }));
  // Curves of every metric some run has a series of, the runs overlaid.
  const seriesNames = [...new Set(cmp.runs.flatMap((r) => Object.keys((r.metricSeries || {}).metrics || {})))].sort();
  const charts = seriesNames.map((name) => {
    const withSeries = cmp.runs.filter((r) => r.metricSeries && r.metricSeries.metrics[name]);
    return chart(`overlay-${name}`, `${name} by step, ${withSeries.length} runs overlaid`, {
      data: align(withSeries.map((r) => r.metricSeries.metrics[name])), series: withSeries.map((r) => r.runId), xLabel: 'step', yLabel: name,
    });
  });
  show(`Comparing ${runIds.length} runs`,
    table('Final metrics', [{ label: 'Metric' }, ...runIds.map((id) => ({ label: id, num: true }))], metricRows, { id: 'compare-metrics', rowHeader: true }),
    h('h3', {}, 'Metric curves'),
    charts.length ? h('div', { class: 'charts' }, charts) : h('p', { class: 'note' }, 'None of these runs wrote metrics.jsonl.'),
    table('Hyperparameters (changed rows highlighted)', head(), changedRows(cmp.hyperparameters), { id: 'compare-params', rowHeader: true }),
    table('Lineage: data, image, version', head(), changedRows(cmp.lineage), { id: 'compare-lineage', rowHeader: true }));
}

// ---------- Model ----------

async function modelView(model) {
  const page = await api(`models/${encodeURIComponent(model)}`);
  const sections = [];
  if (page.description || page.owner) sections.push(h('p', {}, [page.description, page.owner && `Owner: ${page.owner}`].filter(Boolean).join('. ')));
  if (!page.specFound) sections.push(h('p', { class: 'note' }, `No spec found for ${model} (models/${model}/model.yaml): the threshold and the freshness warning are not shown. Start mlops ui with --models-dir <dir>.`));

  const q = page.quality;
  if (q) {
    const categories = Object.keys(q.series).sort();
    sections.push(h('h3', {}, `Production ${q.metric} over time`),
      categories.length ? chart('quality', `${q.metric} of each production run, per category (${q.direction})`, {
        data: align(categories.map((c) => q.series[c])), series: categories, xLabel: 'time', yLabel: q.metric, timeAxis: true, threshold: q.threshold,
      }) : h('p', { class: 'note' }, 'No finished production run yet.'));
  }

  sections.push(h('h3', {}, 'Prediction freshness'), table('Served predictions against their TTL',
    [{ label: 'Category' }, { label: 'State' }, { label: 'Served version' }, { label: 'Generated' }, { label: 'Age (h)', num: true }, { label: 'Warning at (h)', num: true }, { label: 'TTL (h)', num: true }, { label: 'Expires' }],
    page.categories.map((c) => ({ key: c.category, cells: [c.category, badge(c.freshness.state), c.freshness.servedVersion ? `v${c.freshness.servedVersion}` : '-', time(c.freshness.generatedAt),
      num(c.freshness.ageHours), num(c.freshness.warningHours), num(c.freshness.ttlHours), time(c.freshness.expiresAt)] })),
    { id: 'freshness', rowHeader: true }));

  sections.push(h('h3', {}, 'Drift'), page.drift.error ? h('p', { class: 'error' }, page.drift.error)
    : page.drift.values.length ? table('Last PSI per feature (prediction = the prediction distribution)',
      [{ label: 'Category' }, { label: 'Feature' }, { label: 'PSI', num: true }, { label: 'Measured' }],
      page.drift.values.map((d) => ({ key: `${d.category}/${d.feature || 'prediction'}`, cells: [d.category, d.feature || 'prediction', num(d.psi), time(d.at)] })), { id: 'drift' })
      : h('p', { class: 'note' }, 'No drift measured in the last 14 days.'));

  for (const c of page.categories) {
    const prod = c.production;
    sections.push(h('h3', {}, `Category ${c.category}`),
      h('p', {}, prod ? `In production: v${prod.version} since ${time(prod.since)}, promoted by ${prod.promotedBy}.` : 'Nothing promoted yet.'),
      table(`Versions of ${c.category}`,
        [{ label: 'Version' }, { label: 'Status' }, { label: 'Metrics' }, { label: 'Registered' }, { label: 'Run' }, { label: 'Data' }],
        c.versions.map((v) => ({ key: String(v.version), cells: [
          h('span', {}, `v${v.version}`, prod && prod.version === v.version ? [' ', h('span', { class: 'badge PROMOTE' }, 'production')] : null),
          badge(v.status), Object.entries(v.metrics).sort().map(([k, x]) => `${k}=${num(x)}`).join(' '), time(v.registeredAt),
          v.runId ? runLink(v.runId) : '-', v.datasetVersion || '-'] })), { id: `versions-${c.category}`, rowHeader: true }),
      table(`Production timeline of ${c.category} (newest first)`,
        [{ label: 'When' }, { label: 'What' }, { label: 'From' }, { label: 'To' }, { label: 'Who' }, { label: 'Why' }],
        c.timeline.map((t) => ({ cells: [time(t.at), badge(t.kind), t.fromVersion ? `v${t.fromVersion}` : '-', `v${t.toVersion}`, t.actor, t.reason] })),
        { id: `timeline-${c.category}` }));
  }
  show(`Model ${page.model}`, ...sections);
}

// ---------- Routing ----------

// Routes draw one after another: a slower, older view must not finish after a newer one (and be
// stamped with the newer address). The next route marks the page busy in the same task.
let routing = Promise.resolve();
function route() {
  // The skip link's target is not a view: following it must not redraw the page (and move focus).
  if (location.hash === '#main') return routing;
  routing = routing.then(drawRoute, drawRoute);
  return routing;
}

async function drawRoute() {
  main.setAttribute('aria-busy', 'true');
  for (const id of Object.keys(window.mlopsCharts)) delete window.mlopsCharts[id];
  const [rawPath, query = ''] = (location.hash.slice(1) || 'runs').split('?');
  const path = decodeURIComponent(rawPath);
  const [view, arg] = [path.split('/')[0], path.split('/').slice(1).join('/')];
  try {
    if (view === 'run' && arg) await runView(arg);
    else if (view === 'compare' && arg) await compareView(arg.split(','));
    else if (view === 'model' && arg) await modelView(arg);
    else await runsView(query);
  } catch (e) {
    show('Something went wrong', h('p', { class: 'error', role: 'alert' }, e.message), h('p', {}, h('a', { href: '#runs' }, 'Back to the runs')));
  }
}

async function navigation() {
  try {
    const { models } = await api('models');
    const nav = document.getElementById('nav');
    for (const m of models) nav.append(h('li', {}, h('a', { href: `#model/${encodeURIComponent(m)}` }, `Model ${m}`)));
  } catch (e) {
    announce(`The models could not be listed: ${e.message}`);
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', () => { navigation(); route(); });
