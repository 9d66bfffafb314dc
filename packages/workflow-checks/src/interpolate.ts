import { asRecord, isRecord, type Yaml } from './types';

/**
 * `template` with every `${{ <context path> }}` replaced from `values` (keys such as `inputs.environment`,
 * `matrix.service`), or undefined when an expression is anything else: a static check can only follow plain
 * references, so a value it cannot resolve is reported rather than guessed. Not an expression evaluator.
 */
export function interpolate(template: string, values: Readonly<Record<string, string>>): string | undefined {
  let unresolved = false;
  const out = template.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, path: string) => {
    const v = values[path];
    if (v === undefined) unresolved = true;
    return v ?? '';
  });
  return unresolved || out.includes('${{') ? undefined : out;
}

type Row = Record<string, string>;

function cartesian(lists: [string, unknown[]][]): Row[] {
  return lists.reduce<Row[]>(
    (rows, [key, values]) => rows.flatMap((row) => values.map((v) => ({ ...row, [key]: String(v) }))),
    [{}],
  );
}

const matches = (row: Row, entry: Row, keys: string[]) => keys.every((k) => row[k] === entry[k]);

/**
 * The rows of a `strategy.matrix` (GitHub's rules, without expressions): the product of its list-valued keys,
 * `include` entries extending the rows they match on original keys (or added as new rows), `exclude` removing rows.
 * A job without a matrix has one empty row.
 */
export function matrixRows(matrix: unknown): Row[] {
  if (!isRecord(matrix)) return [{}];
  const lists = Object.entries(matrix).filter(
    (e): e is [string, unknown[]] => e[0] !== 'include' && e[0] !== 'exclude' && Array.isArray(e[1]),
  );
  const keys = lists.map(([k]) => k);
  const strings = (v: unknown): Row => Object.fromEntries(Object.entries(asRecord(v)).map(([k, x]) => [k, String(x)]));
  let rows = lists.length ? cartesian(lists) : [];
  for (const ex of Array.isArray(matrix.exclude) ? matrix.exclude.map(strings) : []) {
    rows = rows.filter((row) => !matches(row, ex, Object.keys(ex)));
  }
  for (const inc of Array.isArray(matrix.include) ? matrix.include.map(strings) : []) {
    const on = Object.keys(inc).filter((k) => keys.includes(k));
    const hit = rows.filter((row) => on.length > 0 && matches(row, inc, on));
    if (hit.length) for (const row of hit) Object.assign(row, inc);
    else rows.push({ ...inc });
  }
  return rows.length ? rows : [{}];
}

/**
 * Every combination of a workflow_dispatch's `choice` inputs as `inputs.<name>` values (other inputs are left
 * out, so expressions that use them stay unresolved). One empty combination when there are none.
 */
export function dispatchChoices(triggers: Yaml): Row[] {
  const inputs = asRecord(asRecord(triggers.workflow_dispatch).inputs);
  const lists = Object.entries(inputs)
    .map(([name, raw]) => [name, asRecord(raw)] as const)
    .filter(([, v]) => v.type === 'choice' && Array.isArray(v.options))
    .map(([name, v]): [string, unknown[]] => [`inputs.${name}`, v.options as unknown[]]);
  return cartesian(lists);
}
