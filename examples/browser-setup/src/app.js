// The SecretZero setup page: load a Secretfile (plus, optionally, its lockfile and existing
// target files), check it, run `agent sync` in the page, let the person fill in what needs
// them, and hand back the files.
//
// Privacy rules this file keeps:
// - nothing is sent anywhere (the page's Content-Security-Policy forbids it too);
// - secret values only live in password inputs (read through `.value`, cleared after use), in
//   the core's answers, and in the Blob behind a download link: never in the DOM's text or
//   attributes, never in a URL, never in the console.

import { agentSync, init, parseSecretfile, targetFiles, validateSecretfile } from '@secretzero/agent';

import { Project, basename, classify } from './files.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Build an element: `el('p', {class: 'x'}, 'text', child)`. Text is always set as text. */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const state = {
  /** @type {{name: string, text: string} | null} */
  secretfile: null,
  project: new Project(),
  /** Pending secrets still shown: name -> instructions (kept while a value is being fixed). */
  pending: new Map(),
  /** Every secret set up so far, in order. */
  ready: [],
  /** name -> why it could not be set up. */
  failed: new Map(),
  /** name -> message of the last refused value. */
  refused: new Map(),
  /** name -> `validation` pattern from the Secretfile (shown as a hint; the core checks). */
  rules: new Map(),
  /** Blob URLs handed out (revoked when replaced). */
  urls: [],
  engineReady: false,
};

// --- engine --------------------------------------------------------------------------------

const engine = init(new URL('agent_bg.wasm', import.meta.url)).then(
  () => {
    state.engineReady = true;
    $('engine').textContent = 'Ready. Everything stays in this page.';
    $('engine').className = 'ok';
    if (state.secretfile) run();
  },
  () => {
    $('engine').textContent =
      'The SecretZero engine could not be loaded (agent_bg.wasm). Reload the page; if it keeps failing, serve the page over http(s) instead of opening the file directly.';
    $('engine').setAttribute('role', 'alert');
    $('engine').className = 'error-box';
  },
);

// --- loading files -------------------------------------------------------------------------

async function readFiles(list) {
  return Promise.all([...list].map(async (f) => ({ name: f.name, text: await f.text() })));
}

/** Take loaded files, sorting them into Secretfile, lockfile and target files. */
function take(files, as) {
  let changed = false;
  for (const { name, text } of files) {
    const kind = as ?? classify(name, text);
    if (kind === 'secretfile') {
      state.secretfile = { name, text };
    } else if (kind === 'lockfile') {
      state.project.given.set('.gitsecrets.lock', text);
    } else if (kind === 'local_lockfile') {
      state.project.given.set('.gitsecrets.local.lock', text);
    } else {
      state.project.given.set(name, text);
    }
    changed = true;
  }
  if (changed) restart();
}

function restart() {
  state.project.resetWrites();
  state.pending.clear();
  state.ready = [];
  state.failed.clear();
  state.refused.clear();
  if (state.engineReady) announce('Ready. Everything stays in this page.');
  describeLoaded();
  if (state.secretfile && state.engineReady) run();
}

function describeLoaded() {
  const parts = [];
  if (state.secretfile) parts.push(`Secretfile: ${state.secretfile.name}`);
  const given = [...state.project.given.keys()];
  if (given.length) parts.push(`also loaded: ${given.join(', ')}`);
  $('loaded').textContent = parts.length ? parts.join(' · ') : 'No Secretfile loaded yet.';
  $('loaded').className = parts.length ? '' : 'muted';
}

const drop = $('drop');
for (const ev of ['dragenter', 'dragover']) {
  drop.addEventListener(ev, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
}
for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('over'));
drop.addEventListener('drop', async (e) => {
  e.preventDefault();
  const list = e.dataTransfer?.files;
  if (list && list.length) take(await readFiles(list));
});
// Dropping a file anywhere else must not navigate away from the page.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

$('choose').addEventListener('click', () => $('secretfile-input').click());
$('secretfile-input').addEventListener('change', async (e) => {
  const input = /** @type {HTMLInputElement} */ (e.target);
  if (input.files?.length) take(await readFiles(input.files), 'secretfile');
  input.value = '';
});
$('lock-input').addEventListener('change', async (e) => {
  const input = /** @type {HTMLInputElement} */ (e.target);
  if (input.files?.length) {
    const files = await readFiles(input.files);
    take(files.map((f) => ({ ...f, name: /\.local\.lock$/.test(f.name) ? f.name : '.gitsecrets.lock' })));
  }
});
$('files-input').addEventListener('change', async (e) => {
  const input = /** @type {HTMLInputElement} */ (e.target);
  if (input.files?.length) take(await readFiles(input.files), 'file');
});
$('paste-go').addEventListener('click', () => {
  const text = /** @type {HTMLTextAreaElement} */ ($('paste')).value;
  if (text.trim() === '') {
    $('loaded').textContent = 'The text box is empty: paste the contents of Secretfile.yml first.';
    return;
  }
  take([{ name: 'pasted Secretfile', text }], 'secretfile');
});
$('reset').addEventListener('click', () => {
  state.secretfile = null;
  state.project = new Project();
  /** @type {HTMLTextAreaElement} */ ($('paste')).value = '';
  for (const id of ['lock-input', 'files-input']) /** @type {HTMLInputElement} */ ($(id)).value = '';
  restart();
  renderEmpty();
});

// --- sync ----------------------------------------------------------------------------------

/** Validate, then sync with `values`; returns the report, or null when the file is invalid. */
function run(values) {
  if (!state.secretfile) return null;
  const text = state.secretfile.text;
  let check;
  try {
    check = validateSecretfile(text);
  } catch (e) {
    renderFatal(e);
    return null;
  }
  renderDiagnostics(check);
  if (!check.valid) {
    renderInvalid(check);
    return null;
  }
  readRules(text);
  try {
    const p = state.project;
    const wanted = targetFiles({ text });
    const options = {
      text,
      lockfile: p.readLock(wanted.lockfile_path, '.gitsecrets.lock'),
      localLockfile: p.readLock(wanted.local_lockfile_path, '.gitsecrets.local.lock'),
      files: p.readAll(wanted.files),
      laneVarFiles: p.readAll(wanted.var_files),
      values,
    };
    const { report, writes } = agentSync(options);
    p.apply(writes);
    absorb(report);
    renderSecrets();
    renderDownloads();
    return report;
  } catch (e) {
    renderFatal(e);
    return null;
  }
}

function readRules(text) {
  state.rules.clear();
  try {
    for (const s of parseSecretfile(text).secretfile.secrets) {
      const v = s.config?.validation;
      if (typeof v === 'string') state.rules.set(s.name, v);
    }
  } catch {
    // hints only
  }
}

/** Fold one report into the page's state. */
function absorb(report) {
  for (const name of [...report.already_synced, ...report.synced_secrets]) {
    if (!state.ready.includes(name)) state.ready.push(name);
    state.pending.delete(name);
    state.refused.delete(name);
    state.failed.delete(name);
  }
  for (const [name, info] of Object.entries(report.pending_secrets)) state.pending.set(name, info);
  for (const [name, reason] of Object.entries(report.failed_secrets)) {
    if (state.pending.has(name)) state.refused.set(name, reason);
    else state.failed.set(name, reason);
  }
}

// --- rendering -----------------------------------------------------------------------------

function where(d) {
  if (d.line === undefined || d.line === null) return 'Whole file';
  return d.column ? `Line ${d.line}, column ${d.column}` : `Line ${d.line}`;
}

function renderDiagnostics(check) {
  const box = $('diagnostics');
  box.replaceChildren();
  if (check.diagnostics.length === 0) {
    box.append(el('p', { class: 'ok', text: 'No problems found.' }));
    return;
  }
  const head =
    check.errors > 0
      ? `${check.errors} error${check.errors === 1 ? '' : 's'} to fix${check.warnings ? `, ${check.warnings} warning${check.warnings === 1 ? '' : 's'}` : ''}. Edit the Secretfile and load it again.`
      : `${check.warnings} warning${check.warnings === 1 ? '' : 's'}: the sync still runs.`;
  box.append(el('p', { role: check.errors ? 'alert' : null, text: head }));
  const list = el('ul', { class: 'diags', 'aria-label': 'Problems' });
  for (const d of check.diagnostics) {
    list.append(
      el(
        'li',
        { class: `diag ${d.severity}`, 'data-line': d.line ?? '' },
        el('span', { class: 'where', text: `${where(d)}: ` }),
        el('span', { class: 'sev', text: `${d.severity} ` }),
        el('span', { class: 'code', text: `${d.code} ` }),
        el('span', { class: 'msg', text: d.message }),
        d.path ? el('span', { class: 'code', text: ` (at ${d.path})` }) : null,
        d.hint ? el('span', { class: 'hint', text: `Hint: ${d.hint}` }) : null,
      ),
    );
  }
  box.append(list);
}

function renderInvalid(check) {
  $('summary').textContent = `Nothing was set up: the Secretfile has ${check.errors} error${check.errors === 1 ? '' : 's'} (see Check).`;
  $('summary').className = 'error-box';
  for (const id of ['synced-box', 'pending-box', 'failed-box']) $(id).hidden = true;
  renderDownloadsEmpty('Fix the Secretfile first: no files were produced.');
}

function renderFatal(e) {
  const message = e && typeof e === 'object' && 'message' in e ? String(e.message) : 'unexpected error';
  const code = e && typeof e === 'object' && 'code' in e ? ` (${e.code})` : '';
  $('summary').textContent = `The sync could not run${code}: ${message}`;
  $('summary').className = 'error-box';
  $('summary').setAttribute('role', 'alert');
}

function renderEmpty() {
  $('diagnostics').replaceChildren(
    el('p', { class: 'empty', text: 'Problems in the Secretfile will be listed here, with their line numbers.' }),
  );
  $('summary').textContent = 'Load a Secretfile to see which secrets are ready and which need you.';
  $('summary').className = 'empty';
  $('summary').setAttribute('role', 'status');
  for (const id of ['synced-box', 'pending-box', 'failed-box']) $(id).hidden = true;
  renderDownloadsEmpty('The files to save into your project will appear here.');
}

function renderSecrets() {
  const ready = state.ready.length;
  const pending = state.pending.size;
  const failed = state.failed.size;
  const total = ready + pending + failed;
  const summary = $('summary');
  summary.setAttribute('role', 'status');
  if (total === 0) {
    summary.textContent = 'This Secretfile declares no secrets.';
    summary.className = 'empty';
  } else if (pending === 0 && failed === 0) {
    summary.textContent = `All ${total} secret${total === 1 ? ' is' : 's are'} ready. Download the files below.`;
    summary.className = 'ok';
  } else {
    const parts = [`${ready} of ${total} secrets ready`];
    if (pending) parts.push(`${pending} need${pending === 1 ? 's' : ''} you`);
    if (failed) parts.push(`${failed} could not be set up`);
    summary.textContent = `${parts.join(', ')}.`;
    summary.className = '';
  }

  $('synced-box').hidden = ready === 0;
  $('synced').replaceChildren(...state.ready.map((n) => el('li', { text: n })));

  $('failed-box').hidden = failed === 0;
  $('failed').replaceChildren(
    ...[...state.failed].map(([n, why]) => el('li', {}, el('code', { text: n }), `: ${why}`)),
  );

  $('pending-box').hidden = pending === 0;
  const list = $('pending');
  // Keep the step checkboxes a person already ticked.
  const ticked = new Set(
    [...list.querySelectorAll('input[type=checkbox]:checked')].map((c) => /** @type {HTMLInputElement} */ (c).id),
  );
  list.replaceChildren(...[...state.pending].map(([name, info], i) => pendingItem(name, info, i, ticked)));
}

function pendingItem(name, info, index, ticked) {
  const id = `p${index}`;
  const meta = el('p', { class: 'meta' });
  if (info.estimated_time) meta.append(el('span', { text: `Estimated time: ${info.estimated_time}` }));
  if (info.automation_level) meta.append(el('span', { text: `Level: ${info.automation_level.replace(/_/g, ' ')}` }));
  if (info.documentation_url && /^https?:\/\//i.test(info.documentation_url)) {
    meta.append(
      el('a', { href: info.documentation_url, target: '_blank', rel: 'noopener noreferrer' }, `Documentation for ${name}`),
    );
  }

  const item = el(
    'li',
    { 'aria-labelledby': `${id}-h`, 'data-secret': name },
    el('h4', { id: `${id}-h`, text: name }),
    el('p', { text: info.summary }),
    meta,
  );
  if (info.automation_hint) item.append(el('p', { class: 'muted', text: info.automation_hint }));
  if (info.prerequisites?.length) {
    item.append(el('p', { class: 'label', text: 'Before you start:' }));
    item.append(el('ul', { class: 'prereqs' }, ...info.prerequisites.map((p) => el('li', { text: p }))));
  }
  if (info.required_tools?.length) {
    item.append(el('p', { text: `Tools needed: ${info.required_tools.join(', ')}` }));
  }
  if (info.steps.length) {
    const steps = el('ul', { class: 'steps', 'aria-label': `Steps for ${name}` });
    info.steps.forEach((s, j) => {
      const cid = `${id}-s${j}`;
      const box = el('input', { type: 'checkbox', id: cid, checked: ticked.has(cid) });
      steps.append(
        el(
          'li',
          {},
          box,
          ' ',
          el('label', { for: cid, text: `${j + 1}. ${s.action}${s.required === false ? ' (optional)' : ''}` }),
          s.description ? el('span', { class: 'why', text: s.description }) : null,
        ),
      );
    });
    item.append(steps);
  }
  if (info.fallback) item.append(el('p', { class: 'muted', text: `If this does not work: ${info.fallback}` }));
  item.append(valueForm(name, id));
  return item;
}

function valueForm(name, id) {
  const inputId = `${id}-value`;
  const input = el('input', {
    type: 'password',
    id: inputId,
    name: `value-${id}`,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': `${id}-rule ${id}-err`,
  });
  const rule = state.rules.get(name);
  const refused = state.refused.get(name);
  const form = el(
    'form',
    { class: 'value-form', 'aria-label': `Enter ${name}` },
    el('label', { for: inputId, text: `Value of ${name}` }),
    input,
    el('button', { type: 'submit', text: 'Save value' }),
    el('p', {
      id: `${id}-rule`,
      class: 'rule',
      text: rule ? `Must match the pattern ${rule}` : 'Any non-empty value.',
    }),
    el('p', { id: `${id}-err`, class: 'error', role: 'alert', text: refused ? `Not saved: ${refused}` : '' }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = /** @type {HTMLInputElement} */ (input).value;
    /** @type {HTMLInputElement} */ (input).value = '';
    if (value === '') {
      $(`${id}-err`).textContent = `Not saved: enter the value of ${name} first.`;
      input.focus();
      return;
    }
    state.refused.delete(name);
    const report = run({ [name]: value });
    if (!report) return;
    if (state.ready.includes(name)) {
      announce(`${name} saved.`);
      // Move focus to the next secret that needs a value, or to the downloads.
      const next = /** @type {HTMLInputElement | null} */ (document.querySelector('#pending input[type=password]'));
      (next ?? /** @type {HTMLElement} */ (document.querySelector('#downloads a')))?.focus();
    } else {
      const again = document.getElementById(inputId);
      again?.focus();
    }
  });
  return form;
}

function announce(text) {
  $('engine').textContent = text;
}

function renderDownloadsEmpty(text) {
  for (const u of state.urls) URL.revokeObjectURL(u);
  state.urls = [];
  $('downloads').replaceChildren(el('p', { class: 'empty', text }));
}

function renderDownloads() {
  const files = state.project.outputs();
  if (files.length === 0) {
    renderDownloadsEmpty('Nothing to download: no file needed a change.');
    return;
  }
  for (const u of state.urls) URL.revokeObjectURL(u);
  state.urls = [];
  const list = el('ul', { class: 'files' });
  for (const f of files) {
    const url = URL.createObjectURL(new Blob([f.text], { type: 'text/plain;charset=utf-8' }));
    state.urls.push(url);
    const name = basename(f.path);
    list.append(
      el(
        'li',
        {},
        el('a', { href: url, download: name, 'data-path': f.path }, `Download ${f.path}`),
        el('span', {
          class: f.secret ? 'badge' : 'badge plain',
          text: f.secret
            ? 'contains secrets: keep it out of version control'
            : f.role === 'lockfile'
              ? 'commit it (hashes only, no values)'
              : 'this machine only: do not commit',
        }),
        // Browsers drop a leading dot from downloaded names (Chromium saves `.env` as
        // `env.txt`), so say where the file goes.
        f.path !== name || name.startsWith('.')
          ? el('span', { class: 'save-as muted', text: `save it as ${f.path} in your project` })
          : null,
      ),
    );
  }
  const note =
    state.pending.size > 0
      ? 'These files already hold the secrets that are ready; fill in the remaining values above and download them again.'
      : 'Save each file at the path shown, relative to the Secretfile.';
  $('downloads').replaceChildren(el('p', { text: note }), list);
}

describeLoaded();
void engine;
