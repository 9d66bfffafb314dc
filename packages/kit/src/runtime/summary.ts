import * as core from '@actions/core';
import { createTwoFilesPatch, FILE_HEADERS_ONLY, structuredPatch } from 'diff';
import { redactText } from './redact';

export type Cell = string | number | boolean | null | undefined;

/** Escape a value for a markdown table cell: pipes escaped, newlines become <br>, nullish becomes ''. */
export function escapeCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Escape text for HTML contexts (e.g. the <summary> of a <details>). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export type Align = 'left' | 'center' | 'right';

/** A GitHub-flavoured markdown table. Rows shorter than the header are padded, longer ones are an error. */
export function markdownTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly Cell[]>,
  align?: readonly Align[],
): string {
  const rule = headers.map((_, i) => {
    const a = align?.[i];
    return a === 'center' ? ':---:' : a === 'right' ? '---:' : '---';
  });
  const line = (cells: readonly Cell[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const body = rows.map((row, r) => {
    if (row.length > headers.length) {
      throw new Error(`markdownTable: row ${r + 1} has ${row.length} cells but there are ${headers.length} headers`);
    }
    return line([...row, ...Array<Cell>(headers.length - row.length).fill('')]);
  });
  return [line(headers), `| ${rule.join(' | ')} |`, ...body].join('\n') + '\n';
}

/** A fenced code block whose fence is longer than any backtick run inside `text`. */
export function codeBlock(text: string, lang = ''): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.endsWith('\n') ? text : `${text}\n`}${fence}\n`;
}

/** A collapsible section. `body` is markdown (blank lines around it so GitHub renders it). */
export function details(summary: string, body: string, options: { open?: boolean } = {}): string {
  return `<details${options.open ? ' open' : ''}><summary>${escapeHtml(summary)}</summary>\n\n${body.trimEnd()}\n\n</details>\n`;
}

export interface DiffOptions {
  oldName?: string;
  newName?: string;
  /** Context lines (default 3). */
  context?: number;
}

/** Unified diff of two texts (`--- old` / `+++ new` headers, hunks); '' when they are equal. */
export function unifiedDiff(oldText: string, newText: string, options: DiffOptions = {}): string {
  if (oldText === newText) return '';
  return createTwoFilesPatch(
    options.oldName ?? 'old',
    options.newName ?? 'new',
    oldText,
    newText,
    undefined,
    undefined,
    {
      context: options.context ?? 3,
      headerOptions: FILE_HEADERS_ONLY,
    },
  );
}

/** Counts of added/removed lines between two texts. */
export function diffStats(oldText: string, newText: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of structuredPatch('a', 'b', oldText, newText, undefined, undefined, { context: 0 }).hunks) {
    for (const l of hunk.lines) {
      if (l.startsWith('+')) added += 1;
      else if (l.startsWith('-')) removed += 1;
    }
  }
  return { added, removed };
}

/**
 * Builds the job summary in memory and writes it to GITHUB_STEP_SUMMARY once (`write()`); a later `write()` appends
 * only what was added since. Without GITHUB_STEP_SUMMARY (local runs) `write()` logs at debug level and returns false.
 */
export class Summary {
  private parts: string[] = [];

  heading(text: string, level: 1 | 2 | 3 | 4 | 5 | 6 = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${text.replace(/\r?\n/g, ' ')}\n`);
    return this;
  }

  /** Markdown paragraph (text is not escaped: it is markdown). */
  paragraph(markdown: string): this {
    this.parts.push(`${markdown.trimEnd()}\n`);
    return this;
  }

  list(items: readonly string[]): this {
    if (items.length) this.parts.push(`${items.map((i) => `- ${i.replace(/\r?\n/g, ' ')}`).join('\n')}\n`);
    return this;
  }

  table(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>, align?: readonly Align[]): this {
    this.parts.push(markdownTable(headers, rows, align));
    return this;
  }

  details(summary: string, body: string, options: { open?: boolean } = {}): this {
    this.parts.push(details(summary, body, options));
    return this;
  }

  code(text: string, lang = ''): this {
    this.parts.push(codeBlock(text, lang));
    return this;
  }

  /** A diff block (or 'No changes.' when `diffText` is empty); inside <details> when `collapsedTitle` is given. */
  diff(diffText: string, collapsedTitle?: string): this {
    const block = diffText ? codeBlock(diffText, 'diff') : '_No changes._\n';
    return collapsedTitle ? this.details(collapsedTitle, block) : this.raw(block);
  }

  raw(markdown: string): this {
    this.parts.push(markdown);
    return this;
  }

  isEmpty(): boolean {
    return this.parts.length === 0;
  }

  toString(): string {
    return this.parts.join('\n');
  }

  /** Append the buffered markdown to the job summary file in one write. */
  async write(): Promise<boolean> {
    if (this.parts.length === 0) return true;
    // Last line of defence: whatever a section holds, secrets found by shape and registered ones are redacted.
    const text = redactText(this.toString());
    if (!process.env.GITHUB_STEP_SUMMARY) {
      core.debug('GITHUB_STEP_SUMMARY not set; job summary not written');
      return false;
    }
    await core.summary.emptyBuffer().addRaw(text, true).write();
    this.parts = [];
    return true;
  }
}
