// The HTML report of a harness run (`demo-report/index.html`): an overview table, then one section per run with
// what it shows, the expected end state (each check ✓/✗), the root cause of a failure, the runner's step tree and
// every step's job summary. Job summaries are GitHub-flavoured markdown written by our actions (tables, <details>):
// rendered with marked (GFM) and sanitised with sanitize-html to the elements GitHub allows in a summary, since
// they carry text from the runs (log lines, image names) that must never become markup.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { allJobs, type HarnessResult, type RunRecord } from './harness.ts';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'details', 'summary', 'h1', 'h2', 'del', 'input'],
  allowedAttributes: {
    a: ['href', 'title'],
    code: ['class'],
    details: ['open'],
    th: ['align'],
    td: ['align'],
    input: ['type', 'checked', 'disabled'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
};

/** GitHub-flavoured markdown of a job summary → safe HTML. */
export function renderMarkdown(md: string): string {
  return sanitizeHtml(marked.parse(md, { gfm: true, async: false }) as string, SANITIZE);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** A one-line text with inline markdown (`code`) as safe HTML. */
const inline = (text: string) =>
  sanitizeHtml(marked.parseInline(text, { gfm: true, async: false }) as string, SANITIZE);
const anchor = (r: RunRecord) => `run-${r.scenario.id.replace(/[^a-z0-9]+/gi, '-')}`;

function badge(r: RunRecord): string {
  const concl = r.result?.conclusion ?? 'error';
  return `<span class="badge ${concl}">${escapeHtml(concl)}</span>`;
}

function verdict(r: RunRecord): string {
  return r.ok ? '<span class="ok">✓ as expected</span>' : '<span class="bad">✗ not as expected</span>';
}

function runSection(r: RunRecord, index: number, outDir: string): string {
  const s = r.scenario;
  const inputs = Object.entries(s.inputs ?? {})
    .map(([k, v]) => `${k}=${v === '' ? "''" : v}`)
    .join(' ');
  const meta = [
    `<b>${escapeHtml(r.system.title)}</b>`,
    `<code>${escapeHtml(`examples/${r.system.app}/.github/workflows/${s.workflow}`)}</code>`,
    `${escapeHtml(s.event === 'tag' ? 'push of tag' : s.event === 'dispatch' ? 'workflow_dispatch on' : 'push to')} <code>${escapeHtml(s.ref)}</code>${r.result ? ` @ <code>${escapeHtml(r.result.sha.slice(0, 12))}</code>` : ''}`,
    ...(inputs ? [`inputs <code>${escapeHtml(inputs)}</code>`] : []),
  ].join(' · ');
  const checks = [
    `<li class="${r.conclusionOk ? 'pass' : 'fail'}">run concludes <b>${escapeHtml(s.expect.conclusion)}</b>${r.conclusionOk ? '' : ` — it concluded ${escapeHtml(r.result?.conclusion ?? 'with an error')}`}</li>`,
    ...(s.expect.rootCause
      ? [
          `<li class="${r.rootCauseOk ? 'pass' : 'fail'}">the run reports the root cause <code>${escapeHtml(String(s.expect.rootCause))}</code></li>`,
        ]
      : []),
    ...r.checks.map(
      (c) =>
        `<li class="${c.problem ? 'fail' : 'pass'}">${escapeHtml(c.label)}${c.problem ? `<div class="problem">${escapeHtml(c.problem)}</div>` : ''}</li>`,
    ),
  ].join('\n');
  const rootCause =
    r.result?.conclusion === 'failure' && r.rootCause
      ? `<div class="cause"><div class="label">Root cause, as the run reported it</div><pre>${escapeHtml(r.rootCause)}</pre></div>`
      : '';
  const notes = r.notes.length
    ? `<ul class="notes">${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
    : '';
  const summaries = allJobs(r.result?.jobs ?? [])
    .filter((j) => j.steps.some((st) => st.summary))
    .map((j) => {
      const steps = j.steps
        .filter((st) => st.summary)
        .map(
          (st) =>
            `<div class="step"><div class="step-name">${escapeHtml(st.name)} <span class="dim">${escapeHtml(st.conclusion)} · ${secs(st.durationMs)}</span></div><div class="md">${renderMarkdown(st.summary ?? '')}</div></div>`,
        )
        .join('\n');
      return `<div class="job"><div class="job-name">${escapeHtml(j.path)}${j.environment ? ` <span class="env">${escapeHtml(j.environment.name)}</span>` : ''}</div>${steps}</div>`;
    })
    .join('\n');
  return `<section id="${anchor(r)}">
<h2><span class="num">${index + 1}</span> ${inline(s.title)}</h2>
<div class="meta">${meta}</div>
<div class="meta">${badge(r)} in ${secs(r.durationMs)} · ${verdict(r)} · <span class="kind ${s.kind}">${escapeHtml(s.kind)}</span> · <a href="${escapeHtml(relative(outDir, r.dir))}/">full output</a></div>
<p class="why">${inline(s.why)}</p>
${notes}
<h3>Expected</h3>
<ul class="checks">${checks}</ul>
${rootCause}
${r.error ? `<div class="cause"><div class="label">Runner error</div><pre>${escapeHtml(r.error)}</pre></div>` : ''}
<details class="tree"${r.ok ? '' : ' open'}><summary>Step tree</summary><pre>${escapeHtml(r.tree)}</pre></details>
<h3>Job summaries</h3>
${summaries || '<p class="dim">No step wrote a job summary.</p>'}
</section>`;
}

const CSS = `
:root { --fg:#1f2328; --dim:#59636e; --line:#d1d9e0; --ok:#1a7f37; --bad:#cf222e; --bg2:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); margin: 0; }
header { padding: 24px 32px; border-bottom: 1px solid var(--line); background: var(--bg2); }
header h1 { margin: 0 0 4px; font-size: 22px; }
main { padding: 8px 32px 48px; max-width: 1280px; }
.dim { color: var(--dim); font-weight: normal; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg2); }
.overview td:nth-child(6), .overview td:nth-child(7) { white-space: nowrap; }
section { border-top: 2px solid var(--line); margin-top: 32px; padding-top: 8px; }
h2 { font-size: 18px; margin: 12px 0 4px; }
h2 .num { display: inline-block; min-width: 28px; color: var(--dim); }
h3 { font-size: 14px; margin: 16px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--dim); }
.meta { color: var(--dim); margin: 2px 0; }
.why { max-width: 920px; }
code { background: var(--bg2); padding: 1px 4px; border-radius: 4px; font-size: 12.5px; }
pre { background: var(--bg2); padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 12px; line-height: 1.45; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 12px; }
.badge.success { background: var(--ok); } .badge.failure { background: var(--bad); } .badge.error, .badge.cancelled { background: #6e7781; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
.kind { border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; font-size: 12px; }
.kind.failure { border-color: #ffcecb; background: #ffebe9; } .kind.gap { border-color: #c8e1ff; background: #ddf4ff; }
ul.checks { list-style: none; padding-left: 0; margin: 0; }
ul.checks li { padding: 2px 0 2px 24px; position: relative; }
ul.checks li.pass::before { content: "✓"; color: var(--ok); position: absolute; left: 4px; font-weight: 700; }
ul.checks li.fail::before { content: "✗"; color: var(--bad); position: absolute; left: 4px; font-weight: 700; }
.problem { color: var(--bad); font-size: 12.5px; }
.cause { border-left: 4px solid var(--bad); background: #fff5f5; padding: 6px 12px; margin: 12px 0; }
.cause .label { font-weight: 600; color: var(--bad); }
.cause pre { background: transparent; padding: 4px 0; white-space: pre-wrap; }
ul.notes { color: var(--dim); font-style: italic; margin: 4px 0; }
details.tree summary { cursor: pointer; color: var(--dim); margin: 12px 0 4px; }
.job { border: 1px solid var(--line); border-radius: 6px; margin: 10px 0; }
.job-name { background: var(--bg2); padding: 6px 12px; font-weight: 600; border-bottom: 1px solid var(--line); }
.env { font-weight: normal; font-size: 12px; border: 1px solid var(--line); border-radius: 10px; padding: 0 6px; background: #fff; }
.step { padding: 4px 12px 8px; }
.step + .step { border-top: 1px dashed var(--line); }
.step-name { font-size: 12px; color: var(--dim); margin: 4px 0; }
.md h3 { text-transform: none; letter-spacing: 0; color: var(--fg); font-size: 15px; margin: 6px 0; }
.md table { font-size: 13px; }
.md thead tr:not(:has(th:not(:empty))) { display: none; }
.md details { margin: 6px 0; } .md summary { cursor: pointer; }
`;

/** Write `index.html` into the harness's output directory; returns its path. */
export function writeReport(h: HarnessResult, outDir: string, title: string): string {
  const ok = h.runs.filter((r) => r.ok).length;
  const rows = h.runs
    .map(
      (r, i) => `<tr>
<td>${i + 1}</td><td>${escapeHtml(r.system.seed)}</td>
<td><a href="#${anchor(r)}">${inline(r.scenario.title)}</a></td>
<td><span class="kind ${r.scenario.kind}">${escapeHtml(r.scenario.kind)}</span></td>
<td><code>${escapeHtml(r.scenario.workflow)}</code></td>
<td>${badge(r)} <span class="dim">expected ${escapeHtml(r.scenario.expect.conclusion)}</span></td>
<td>${secs(r.durationMs)}</td><td>${r.ok ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>'}</td></tr>`,
    )
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<div class="dim">${h.runs.length} runs, ${ok} as expected · ${secs(h.durationMs)} in all · emulator time scale ${h.timeScale}× · ${
    h.buildah ? 'images built with buildah' : 'buildah not installed: commit images seeded and promoted, not built'
  } · ${escapeHtml(new Date().toISOString())}</div>
<div class="dim">Each run is an example app's own caller workflow, run by <code>packages/workflow-runner</code> as GitHub would (our reusable workflows, the committed <code>dist/</code> of our actions) against the local AWS emulator; the checks read the end state back from the emulator.</div>
</header>
<main>
<table class="overview"><thead><tr><th>#</th><th>seed</th><th>run</th><th>kind</th><th>workflow</th><th>conclusion</th><th>time</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>
${h.runs.map((r, i) => runSection(r, i, outDir)).join('\n')}
</main></body></html>
`;
  const file = join(outDir, 'index.html');
  writeFileSync(file, html);
  return file;
}
