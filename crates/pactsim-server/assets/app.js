// The pactsim web page: pick or edit a deal, check it as it is typed, run it, read the result,
// open earlier runs and compare two. Plain JavaScript, no libraries; every request goes to the
// server that served this page (the /v1 API in its OpenAPI document, /openapi.json).
'use strict';

const TOKEN_KEY = 'pactsim-token';
const CHECK_DELAY_MS = 300;
const POLL_MS = 400;

const $ = (selector) => document.querySelector(selector);

/** An element with attributes and children (strings become text). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Numbers, formatted as `pactsim run` prints them.

/**
 * `value` to `digits` decimals. Rust's and Python's formatting round an exact tie to even, where
 * `toFixed` rounds it up: the exact decimal expansion tells the two apart.
 */
function fixed(value, digits) {
  if (value === null || value === undefined) return '–';
  const magnitude = Math.abs(value);
  let text = magnitude.toFixed(digits);
  const exact = magnitude.toFixed(Math.min(100, digits + 40));
  const cut = exact.indexOf('.') + (digits > 0 ? 1 + digits : 0);
  if (/^5(0*)$/.test(exact.slice(cut + (digits > 0 ? 0 : 1)))) {
    const truncated = exact.slice(0, cut);
    if (Number(truncated.slice(-1)) % 2 === 0) text = truncated;
  }
  return (value < 0 || Object.is(value, -0) ? '-' : '') + text;
}

const UNITS = {
  bn: { format: (v) => fixed(v, 2), diff: (v) => signed(fixed(v, 2)) },
  pct: { format: (v) => `${fixed(v * 100, 2)}%`, diff: (v) => `${signed(fixed(v * 100, 2))} pp` },
  share: { format: (v) => `${fixed(v * 100, 1)}%`, diff: (v) => `${signed(fixed(v * 100, 1))} pp` },
  x: { format: (v) => `${fixed(v, 2)}x`, diff: (v) => `${signed(fixed(v, 2))}x` },
  count: { format: (v) => fixed(v, 2), diff: (v) => signed(fixed(v, 2)) },
  year: { format: (v) => fixed(v, 1), diff: (v) => `${signed(fixed(v, 1))} years` },
};

/** A difference with its sign; none when it rounds to zero. */
function signed(text) {
  const magnitude = text.replace(/^-/, '');
  if (!/[1-9]/.test(magnitude)) return magnitude;
  return text.startsWith('-') ? `−${magnitude}` : `+${magnitude}`;
}

/** The headline figures, in the order and with the names of `pactsim run`'s summary. */
const FIGURES = [
  { group: 'Investor' },
  { key: 'investor_paid', label: 'paid (funding + guarantee calls)', unit: 'bn' },
  { key: 'investor_received', label: 'received', unit: 'bn' },
  { key: 'investor_npv', label: 'NPV (at the deal’s investor discount rate)', unit: 'bn', rate: 'investor' },
  { key: 'investor_irr', label: 'IRR', unit: 'pct' },
  { key: 'investor_moic', label: 'MOIC (cash received / paid)', unit: 'x' },
  { key: 'investor_terminal_value', label: 'terminal value at the horizon', unit: 'bn' },
  { key: 'guarantee_calls', label: 'guarantee calls', unit: 'bn' },
  { key: 'losses', label: 'losses (loans, guarantee claims)', unit: 'bn' },
  { key: 'equity_lost', label: 'equity written off on defaults', unit: 'bn' },
  { group: 'Host' },
  { key: 'host_tax', label: 'tax', unit: 'bn' },
  { key: 'host_received', label: 'distributions', unit: 'bn' },
  { key: 'host_terminal_value', label: 'terminal value at the horizon', unit: 'bn' },
  { key: 'host_npv', label: 'NPV (at the deal’s host discount rate)', unit: 'bn', rate: 'host' },
  { group: 'Tariff relief and the whole deal' },
  { key: 'tariff_relief_npv', label: 'tariff relief NPV', unit: 'bn' },
  { key: 'deal_npv', label: 'deal NPV for the investor (investment NPV + relief NPV)', unit: 'bn' },
  { group: 'Across paths' },
  { key: 'recouped_share', label: 'every account recouped', unit: 'share', plain: true },
  { key: 'recoup_year', label: 'year the last account recouped', unit: 'year' },
  { key: 'declines', label: 'projects refused (mean)', unit: 'count' },
  { key: 'defaults', label: 'projects defaulted (mean)', unit: 'count' },
  { key: 'snapback_share', label: 'host snapped the tariff back', unit: 'share', plain: true },
];

const YEAR_COLUMNS = [
  ['investor_paid', 'investor paid'],
  ['investor_received', 'investor received'],
  ['host_tax', 'host tax'],
  ['host_received', 'host received'],
  ['deferred', 'deferred'],
  ['tariff_relief', 'tariff relief'],
];

/** A figure's Stat (`{mean, p5, p50, p95, …}`), or a plain number as a Stat of one value. */
function statOf(totals, figure) {
  const value = totals[figure.key];
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'number') return { mean: value };
  return value;
}

/**
 * A figure's label; an NPV's names its rate and date as `pactsim run` does ("NPV at 5.00% to
 * 2025-11-14") when the deal's terms (`/v1/check`'s answer) are known.
 */
function figureLabel(figure, terms) {
  const rate = figure.rate && terms && terms.discount_rate ? terms.discount_rate[figure.rate] : undefined;
  if (typeof rate !== 'number' || !terms.start) return figure.label;
  return `NPV at ${fixed(rate * 100, 2)}% to ${terms.start}`;
}

function numberCell(value, unit, className) {
  const text = value === null || value === undefined ? '–' : UNITS[unit].format(value);
  return el('td', { class: className, 'data-value': value ?? null }, text);
}

// ---------------------------------------------------------------------------------------------
// The API.

class ApiError extends Error {
  constructor(status, body) {
    const message = body && body.message ? body.message : `the server answered ${status}`;
    super(message);
    this.status = status;
    this.code = body && body.error ? body.error : `http ${status}`;
    this.diagnostics = body && Array.isArray(body.diagnostics) ? body.diagnostics : null;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

async function request(path, { method = 'GET', body } = {}) {
  const headers = {};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) headers['Content-Type'] = 'application/toml';
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch (error) {
    throw new ApiError(0, { error: 'unreachable', message: `the server did not answer (${error.message})` });
  }
  if (response.status === 401) askForToken();
  return response;
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  return new ApiError(response.status, body);
}

/** The JSON answer of a request, or an ApiError with the server's `{error, message}`. */
async function getJSON(path, options) {
  const response = await request(path, options);
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

function showError(error, context) {
  const box = $('#error');
  if (!error) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  const code = error.code ? ` (${error.code})` : '';
  box.textContent = `${context ? `${context}: ` : ''}${error.message}${code}`;
  box.hidden = false;
}

function askForToken() {
  const form = $('#token-form');
  if (!form.hidden) return;
  sessionStorage.removeItem(TOKEN_KEY);
  form.hidden = false;
  $('#token').focus();
  showError({ message: 'this server needs an access token: enter it above', code: 'unauthorized' });
}

// ---------------------------------------------------------------------------------------------
// The deal editor: line numbers, checking as you type, diagnostics at their lines.

const editor = () => $('#editor');
let checkTimer = null;
let checkSequence = 0;
let diagnostics = [];
let dealValid = false;

function renderGutter() {
  const lines = editor().value.split('\n').length;
  const gutter = $('#gutter');
  const bad = new Map();
  for (const d of diagnostics) {
    if (inFile(d)) bad.set(d.line, [...(bad.get(d.line) || []), diagnosticText(d)]);
  }
  const rows = [];
  for (let line = 1; line <= lines; line += 1) {
    const messages = bad.get(line);
    rows.push(el('div', { class: messages ? 'ln bad' : 'ln', 'data-line': line, title: messages ? messages.join('\n') : null }, line));
  }
  gutter.replaceChildren(...rows);
  gutter.scrollTop = editor().scrollTop;
}

/** Whether a diagnostic points into the deal's text (else into an override, or nowhere). */
function inFile(d) {
  return (d.origin === undefined || d.origin === 'file') && Number.isInteger(d.line) && d.line > 0;
}

/** `line L, column C: field — message (hint)`, or `override KEY=VALUE, column C: …`. */
function diagnosticText(d) {
  let where = 'deal file';
  if (inFile(d)) where = `line ${d.line}, column ${d.column}`;
  else if (d.origin === 'override') where = `override ${d.override ?? ''}${d.column ? `, column ${d.column}` : ''}`;
  let message = d.message || '';
  // The API's message starts with the field (`field: found X, expected Y`); it is shown once.
  if (d.field && message.startsWith(`${d.field}: `)) message = message.slice(d.field.length + 2);
  const field = d.field ? `${d.field} — ` : '';
  const hint = d.hint ? ` (${d.hint})` : '';
  return `${where}: ${field}${message}${hint}`;
}

function renderDiagnostics() {
  const list = $('#diagnostics');
  list.replaceChildren(
    ...diagnostics.map((d) =>
      el(
        'li',
        {
          class: 'diagnostic',
          'data-origin': d.origin ?? 'file',
          'data-line': inFile(d) ? d.line : null,
          'data-column': inFile(d) ? d.column : null,
          'data-field': d.field ?? null,
        },
        inFile(d) ? el('button', { type: 'button', class: 'link', onclick: () => goTo(d.line, d.column) }, diagnosticText(d)) : diagnosticText(d),
      ),
    ),
  );
  renderGutter();
}

/** Put the cursor at a 1-based line and column (in characters) of the editor. */
function goTo(line, column) {
  const area = editor();
  const lines = area.value.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i += 1) offset += lines[i].length + 1;
  const text = lines[line - 1] || '';
  // Columns count characters; the textarea counts UTF-16 units.
  offset += Array.from(text).slice(0, Math.max(0, (column || 1) - 1)).join('').length;
  area.focus();
  area.setSelectionRange(offset, offset);
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
  area.scrollTop = Math.max(0, (line - 4) * lineHeight);
}

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(checkDeal, CHECK_DELAY_MS);
}

async function checkDeal() {
  const sequence = ++checkSequence;
  const text = editor().value;
  const status = $('#check-status');
  if (!text.trim()) {
    diagnostics = [];
    dealValid = false;
    status.className = 'check-status';
    status.textContent = 'Pick a deal or paste a deal file.';
    renderDiagnostics();
    updateRunButton();
    return;
  }
  status.textContent = 'checking…';
  let response;
  let body = null;
  try {
    response = await request(`/v1/check?${overrideParams()}`, { method: 'POST', body: text });
    body = await response.json().catch(() => null);
  } catch (error) {
    if (sequence === checkSequence) status.textContent = `not checked: ${error.message}`;
    return;
  }
  if (sequence !== checkSequence) return; // a newer check is under way
  if (response.ok && body && body.valid) {
    diagnostics = [];
    dealValid = true;
    status.className = 'check-status ok';
    status.textContent = describeValid(body);
    $('#paths').placeholder = body.paths ? `deal: ${body.paths}` : '';
    $('#seed').placeholder = body.seed !== undefined ? `deal: ${body.seed}` : '';
  } else if (body && Array.isArray(body.diagnostics)) {
    diagnostics = body.diagnostics;
    dealValid = false;
    status.className = 'check-status bad';
    const n = diagnostics.length;
    status.textContent = `${n} problem${n === 1 ? '' : 's'} in the deal file:`;
  } else {
    dealValid = false;
    status.className = 'check-status bad';
    status.textContent = `not checked: ${new ApiError(response.status, body).message}`;
  }
  renderDiagnostics();
  updateRunButton();
}

function describeValid(answer) {
  const parts = [answer.deal ? `Valid deal file: ${answer.deal}` : 'Valid deal file'];
  if (answer.investor && answer.host) parts.push(`${answer.investor} invests in ${answer.host}`);
  if (answer.start && answer.end) parts.push(`${answer.start} to ${answer.end}`);
  if (answer.paths) parts.push(`by default ${answer.paths} paths, seed ${answer.seed}`);
  if (answer.overrides && answer.overrides.length) parts.push(`with ${answer.overrides.length} override${answer.overrides.length === 1 ? '' : 's'}`);
  return `${parts.join(' · ')}.`;
}

async function loadDeals() {
  const select = $('#deal-select');
  const deals = await getJSON('/v1/deals');
  select.replaceChildren(
    el('option', { value: '' }, '— choose a deal —'),
    ...deals.map((d) => el('option', { value: d.id }, `${d.title} (${d.id})`)),
  );
}

async function loadDeal(id) {
  if (!id) return;
  const response = await request(`/v1/deals/${encodeURIComponent(id)}`);
  if (!response.ok) throw await errorOf(response);
  editor().value = await response.text();
  editor().scrollTop = 0;
  $('#deal-source').textContent = '';
  renderGutter();
  await checkDeal();
}

// ---------------------------------------------------------------------------------------------
// Running.

let followed = null; // the id of the run whose progress is shown

function updateRunButton() {
  $('#run').disabled = !dealValid || followed !== null;
  $('#run').title = dealValid ? '' : 'Fix the deal file first';
}

function lines(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** The overrides as query parameters: `set=KEY=VALUE` and `unset=KEY`, in the order given. */
function overrideParams() {
  const params = new URLSearchParams();
  for (const line of lines($('#set').value)) params.append('set', line);
  for (const line of lines($('#unset').value)) params.append('unset', line);
  return params;
}

/** Recorded overrides (`KEY=VALUE` sets, `!KEY` removes) as query parameters, in their order. */
function recordedParams(overrides) {
  const params = new URLSearchParams();
  for (const o of overrides || []) {
    if (o.startsWith('!')) params.append('unset', o.slice(1));
    else params.append('set', o);
  }
  return params;
}

async function startRun() {
  showError(null);
  const params = overrideParams();
  const paths = $('#paths').value.trim();
  const seed = $('#seed').value.trim();
  if (paths) params.set('paths', paths);
  if (seed) params.set('seed', seed);
  const response = await request(`/v1/runs?${params}`, { method: 'POST', body: editor().value });
  if (response.status !== 202 && !response.ok) {
    const error = await errorOf(response);
    if (error.diagnostics) {
      diagnostics = error.diagnostics;
      renderDiagnostics();
    }
    if (response.status === 429) {
      const wait = response.headers.get('Retry-After');
      error.message += wait ? ` (try again in ${wait} s)` : '';
    }
    showError(error, 'The run was refused');
    return;
  }
  const run = await response.json();
  location.hash = `run=${run.id}`;
  await follow(run.id);
}

/** The share done, from the status's `progress` (a share, or `{done, total}`). */
function progressShare(status) {
  const p = status.progress;
  if (typeof p === 'number') return p > 1 && status.paths ? p / status.paths : p;
  if (p && typeof p === 'object' && p.total) return p.done / p.total;
  return status.status === 'done' ? 1 : 0;
}

async function follow(id) {
  followed = id;
  updateRunButton();
  const bar = $('#progress');
  const label = $('#run-status');
  bar.hidden = false;
  bar.value = 0;
  $('#cancel').hidden = false;
  try {
    for (;;) {
      const status = await getJSON(`/v1/runs/${id}`);
      if (followed !== id) return;
      const share = progressShare(status);
      bar.value = share;
      label.textContent = `${status.status}: ${fixed(share * 100, 0)}% of ${status.paths} paths`;
      if (status.status === 'done') {
        label.textContent = `done: ${status.paths} paths, seed ${status.seed}`;
        await showRun(id);
        break;
      }
      if (['failed', 'interrupted', 'cancelled'].includes(status.status)) {
        label.textContent = `${status.status}${status.error ? `: ${status.error}` : ''}`;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    showError(error, 'Following the run failed');
  } finally {
    if (followed === id) {
      followed = null;
      bar.hidden = true;
      $('#cancel').hidden = true;
      updateRunButton();
      refreshRuns().catch((error) => showError(error, 'Listing the runs failed'));
    }
  }
}

async function cancelRun() {
  if (!followed) return;
  const response = await request(`/v1/runs/${followed}`, { method: 'DELETE' });
  if (!response.ok) showError(await errorOf(response), 'Cancelling failed');
}

// ---------------------------------------------------------------------------------------------
// A run's result.

/** A link that downloads with the token when one is set (a plain link cannot send it). */
function download(href, label, filename) {
  return el('a', {
    href,
    download: filename,
    class: 'download',
    onclick: async (event) => {
      if (!token()) return;
      event.preventDefault();
      const response = await request(href);
      if (!response.ok) return showError(await errorOf(response), `Downloading ${label} failed`);
      const url = URL.createObjectURL(await response.blob());
      const a = el('a', { href: url, download: filename ?? null, target: filename ? null : '_blank' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    },
  }, label);
}

function describeRun(status, output) {
  const overrides = (output && output.overrides) || status.overrides || [];
  const parts = [
    output && output.deterministic ? 'deterministic (no random inputs)' : `${status.paths} paths, seed ${status.seed}`,
    overrides.length ? `overrides: ${overrides.join(', ')}` : 'no overrides',
  ];
  return parts.join(' · ');
}

/** A run's deal file as submitted, and its terms (`/v1/check` of it with the run's overrides). */
async function runDeal(status) {
  const response = await request(`/v1/runs/${status.id}/deal.toml`);
  if (!response.ok) throw await errorOf(response);
  const text = await response.text();
  const terms = await getJSON(`/v1/check?${recordedParams(status.overrides)}`, { method: 'POST', body: text }).catch(() => null);
  return { text, terms };
}

/** Put a run's deal file, paths, seed and overrides into the editor and settings, to change and run again. */
function editRun(status, deal) {
  $('#deal-select').value = '';
  editor().value = deal.text;
  editor().scrollTop = 0;
  $('#paths').value = status.paths ?? '';
  $('#seed').value = status.seed ?? '';
  const overrides = status.overrides || [];
  $('#set').value = overrides.filter((o) => !o.startsWith('!')).join('\n');
  $('#unset').value = overrides.filter((o) => o.startsWith('!')).map((o) => o.slice(1)).join('\n');
  $('#deal-source').textContent = `The deal of run ${status.id} (${status.deal}), with its paths, seed and overrides.`;
  renderGutter();
  $('#deal-section').scrollIntoView({ behavior: 'smooth' });
  return checkDeal();
}

async function showRun(id) {
  const [status, output] = await Promise.all([getJSON(`/v1/runs/${id}`), getJSON(`/v1/runs/${id}/result`)]);
  const deal = await runDeal(status).catch(() => null);
  const section = $('#result');
  section.hidden = false;
  section.dataset.runId = id;
  $('#result-heading').textContent = `3. Result: ${output.title || output.deal}`;
  $('#result-meta').replaceChildren(
    el('strong', {}, output.deal),
    ` · ${describeRun(status, output)} · run ${id}`,
    status.finished ? ` · finished ${when(status.finished)}` : '',
    deal ? ' ' : '',
    deal ? el('button', { type: 'button', id: 'edit-run', onclick: guard('Loading the run’s deal failed', () => editRun(status, deal)) }, 'Edit this deal') : '',
  );
  const base = `/v1/runs/${id}`;
  const stem = `${output.deal}-${output.paths}p-seed${output.seed}`;
  $('#downloads').replaceChildren(
    'Download: ',
    download(`${base}/result`, 'result (JSON)', `${stem}.json`), ' · ',
    download(`${base}/years.csv`, 'years.csv', `${stem}-years.csv`), ' · ',
    download(`${base}/tables.xlsx`, 'tables.xlsx', `${stem}.xlsx`), ' · ',
    download(`${base}/report.html`, 'HTML report', `${stem}-report.html`),
  );
  renderHeadline(output, deal && deal.terms);
  renderFacilities(output);
  renderYears(output);
  renderCharts(id).catch((error) => showError(error, 'Loading the charts failed'));
}

/**
 * Table rows for the headline figures, under their group headings: `row(figure)` gives a figure's
 * row, or null where the run has no such figure; a heading spans `columns`.
 */
function figureRows(columns, row) {
  const rows = [];
  let group = null;
  for (const figure of FIGURES) {
    if (figure.group) {
      group = figure.group;
      continue;
    }
    const made = row(figure);
    if (!made) continue;
    if (group) {
      rows.push(el('tr', { class: 'group' }, el('th', { colspan: columns, scope: 'colgroup' }, group)));
      group = null;
    }
    rows.push(made);
  }
  return rows;
}

function renderHeadline(output, terms) {
  const totals = output.totals || {};
  const rows = figureRows(6, (figure) => {
    const stat = statOf(totals, figure);
    if (stat === undefined) return null;
    const row = el('tr', { 'data-figure': figure.key }, el('th', { scope: 'row' }, figureLabel(figure, terms)));
    if (stat === null) {
      row.append(el('td', { class: 'mean', colspan: 5 }, 'n/a'));
      return row;
    }
    row.append(numberCell(stat.mean, figure.unit, 'mean'));
    if (figure.plain) {
      row.append(el('td', { class: 'note', colspan: 4 }, 'share of paths'));
    } else {
      row.append(numberCell(stat.mean_se, figure.unit, 'se'));
      for (const q of ['p5', 'p50', 'p95']) row.append(numberCell(stat[q], figure.unit, q));
    }
    if (stat.defined_share !== undefined && stat.defined_share !== null && stat.defined_share < 1) {
      const where = stat.defined_share === 0 ? 'on no path' : `exists on ${fixed(stat.defined_share * 100, 1)}% of paths`;
      row.cells[0].append(el('span', { class: 'note' }, ` (${where})`));
    }
    return row;
  });
  $('#headline tbody').replaceChildren(...rows);
}

/** The investor's figures on each facility's projects alone, where a deal has several. */
function renderFacilities(output) {
  const facilities = output.facilities || [];
  const table = $('#facilities');
  table.hidden = facilities.length < 2;
  const mean = (stat) => (stat ? stat.mean : null);
  $('#facilities tbody').replaceChildren(
    ...facilities.map((f) =>
      el(
        'tr',
        { 'data-facility': f.id },
        el('th', { scope: 'row' }, f.id),
        numberCell(mean(f.npv), 'bn', 'npv'),
        numberCell(mean(f.irr), 'pct', 'irr'),
        numberCell(mean(f.moic), 'x', 'moic'),
        f.recouped_share === null || f.recouped_share === undefined ? el('td', { class: 'recouped' }, 'n/a') : numberCell(f.recouped_share, 'share', 'recouped'),
      ),
    ),
  );
}

function renderYears(output) {
  const years = output.years || [];
  const columns = YEAR_COLUMNS.filter(([key]) => years.some((y) => y[key] !== undefined));
  $('#years thead').replaceChildren(
    el('tr', {}, el('th', { scope: 'col' }, 'year'), ...columns.map(([, label]) => el('th', { scope: 'col' }, label))),
  );
  const rows = years
    .filter((y) => columns.some(([key]) => y[key] && y[key].mean))
    .map((y) =>
      el('tr', { 'data-year': y.year }, el('th', { scope: 'row' }, y.year), ...columns.map(([key]) => numberCell(y[key] ? y[key].mean : null, 'bn', key))),
    );
  $('#years tbody').replaceChildren(...rows);
}

/** The report's charts: the first beside the tables, the others below them. */
async function renderCharts(id) {
  $('#lead-chart').replaceChildren();
  $('#charts').replaceChildren();
  const charts = await getJSON(`/v1/runs/${id}/charts`);
  for (const [index, chart] of charts.entries()) {
    const img = el('img', { alt: chart.title, 'data-chart': chart.name });
    $(index === 0 ? '#lead-chart' : '#charts').append(el('figure', {}, img, el('figcaption', {}, chart.title)));
    const response = await request(`/v1/runs/${id}/charts/${encodeURIComponent(chart.name)}.svg`);
    if ($('#result').dataset.runId !== id) return;
    if (!response.ok) {
      img.replaceWith(el('p', { class: 'note' }, `chart not available: ${(await errorOf(response)).message}`));
      continue;
    }
    img.src = URL.createObjectURL(await response.blob());
  }
}

// ---------------------------------------------------------------------------------------------
// Earlier runs and the comparison of two.

let nextCursor = null;

function when(iso) {
  return iso ? String(iso).replace('T', ' ').replace(/\.\d+/, '').replace(/Z$|\+00:00$/, '') : '';
}

function runRow(run) {
  const isRun = run.kind === undefined || run.kind === 'run';
  const done = run.status === 'done' && isRun;
  const status = run.status === 'running' ? `running (${fixed(progressShare(run) * 100, 0)}%)` : run.status;
  return el(
    'tr',
    { 'data-run-id': run.id, 'data-status': run.status },
    el('td', {}, el('input', { type: 'checkbox', class: 'compare-pick', value: run.id, disabled: !done, 'aria-label': `compare run ${run.id}`, onchange: updateCompareButton })),
    el('td', {}, when(run.created)),
    el('td', {}, run.deal, isRun ? '' : el('span', { class: 'note' }, ` (${run.kind})`)),
    el('td', { class: `status ${run.status}`, title: run.error || null }, status),
    el('td', { class: 'num' }, run.paths ?? ''),
    el('td', { class: 'num' }, run.seed ?? ''),
    el('td', { class: 'overrides' }, (run.overrides || []).join(', ')),
    el(
      'td',
      {},
      isRun ? el('button', { type: 'button', class: 'open', onclick: () => openRun(run) }, done ? 'Open' : 'Follow') : '',
      isRun ? ' ' : '',
      isRun ? el('button', { type: 'button', class: 'edit', onclick: guard('Loading the run’s deal failed', async () => editRun(run, await runDeal(run))) }, 'Edit deal') : '',
    ),
  );
}

async function refreshRuns(more = false) {
  const url = more && nextCursor ? `/v1/runs?cursor=${encodeURIComponent(nextCursor)}` : '/v1/runs';
  const page = await getJSON(url);
  const body = $('#runs-table tbody');
  const ticked = new Set([...document.querySelectorAll('.compare-pick:checked')].map((box) => box.value));
  const rows = page.runs.map(runRow);
  if (more) body.append(...rows);
  else body.replaceChildren(...rows);
  for (const box of document.querySelectorAll('.compare-pick')) box.checked = ticked.has(box.value) && !box.disabled;
  nextCursor = page.next ?? null;
  $('#runs-more').hidden = !nextCursor;
  updateCompareButton();
}

function openRun(run) {
  showError(null);
  location.hash = `run=${run.id}`;
  const action = run.status === 'done' ? showRun(run.id) : follow(run.id);
  Promise.resolve(action)
    .then(() => $('#result').scrollIntoView({ behavior: 'smooth' }))
    .catch((error) => showError(error, 'Opening the run failed'));
}

/** The ticked runs, the older first (the list is newest first). */
function picked() {
  return [...document.querySelectorAll('.compare-pick:checked')].map((box) => box.value).reverse();
}

function updateCompareButton() {
  const n = picked().length;
  $('#compare').disabled = n !== 2;
  $('#compare').textContent = n === 2 ? 'Compare the two ticked runs' : `Compare two runs (${n} ticked)`;
}

async function compareRuns() {
  showError(null);
  const [a, b] = picked();
  const [statusA, statusB, outA, outB] = await Promise.all([
    getJSON(`/v1/runs/${a}`),
    getJSON(`/v1/runs/${b}`),
    getJSON(`/v1/runs/${a}/result`),
    getJSON(`/v1/runs/${b}/result`),
  ]);
  const head = (label, status, output) =>
    el('th', { scope: 'col' }, el('span', {}, `${label}: ${output.deal}`), el('br'), el('span', { class: 'note' }, describeRun(status, output)), el('br'), el('span', { class: 'note' }, `run ${status.id}`));
  $('#comparison-table thead').replaceChildren(
    el('tr', {}, el('th', { scope: 'col' }, 'figure (mean; USD bn unless marked)'), head('A', statusA, outA), head('B', statusB, outB), el('th', { scope: 'col' }, 'B − A')),
  );
  const rows = figureRows(4, (figure) => {
    const sa = statOf(outA.totals || {}, figure);
    const sb = statOf(outB.totals || {}, figure);
    if (sa === undefined && sb === undefined) return null;
    const ma = sa ? sa.mean : null;
    const mb = sb ? sb.mean : null;
    const diff = typeof ma === 'number' && typeof mb === 'number' ? mb - ma : null;
    return el(
      'tr',
      { 'data-figure': figure.key },
      el('th', { scope: 'row' }, figure.label),
      numberCell(ma, figure.unit, 'a'),
      numberCell(mb, figure.unit, 'b'),
      el('td', { class: 'diff', 'data-value': diff }, diff === null ? '–' : UNITS[figure.unit].diff(diff)),
    );
  });
  $('#comparison-table tbody').replaceChildren(...rows);
  $('#comparison').hidden = false;
  $('#comparison').scrollIntoView({ behavior: 'smooth' });
}

// ---------------------------------------------------------------------------------------------
// Start.

function guard(context, action) {
  return (...args) => Promise.resolve(action(...args)).catch((error) => showError(error, context));
}

async function start() {
  showError(null);
  await loadDeals();
  const select = $('#deal-select');
  const hash = new URLSearchParams(location.hash.slice(1));
  if (!editor().value && select.options.length > 1) {
    select.selectedIndex = 1;
    await loadDeal(select.value);
  }
  await refreshRuns();
  if (hash.get('run')) {
    const run = await getJSON(`/v1/runs/${encodeURIComponent(hash.get('run'))}`);
    openRun(run);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  renderGutter();
  editor().addEventListener('input', () => {
    renderGutter();
    scheduleCheck();
  });
  $('#set').addEventListener('input', scheduleCheck);
  $('#unset').addEventListener('input', scheduleCheck);
  editor().addEventListener('scroll', () => {
    $('#gutter').scrollTop = editor().scrollTop;
  });
  $('#deal-select').addEventListener('change', guard('Loading the deal failed', (event) => loadDeal(event.target.value)));
  $('#run').addEventListener('click', guard('Starting the run failed', startRun));
  $('#cancel').addEventListener('click', guard('Cancelling failed', cancelRun));
  $('#runs-refresh').addEventListener('click', guard('Listing the runs failed', () => refreshRuns()));
  $('#runs-more').addEventListener('click', guard('Listing the runs failed', () => refreshRuns(true)));
  $('#compare').addEventListener('click', guard('Comparing failed', compareRuns));
  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim());
    $('#token-form').hidden = true;
    guard('Loading failed', start)();
  });
  updateRunButton();
  guard('Loading failed', start)();
});
