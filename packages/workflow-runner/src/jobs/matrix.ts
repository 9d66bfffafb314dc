// strategy.matrix expansion as GitHub documents it ("Using a matrix for your jobs"): the cartesian product of the
// vectors; `exclude` removes every combination that matches all of an entry's keys; each `include` entry is merged
// into every combination whose ORIGINAL values it does not change, and becomes a new combination when it fits none.
import type { Json } from '../expressions/data.ts';

export type Combination = Record<string, Json>;

export class MatrixError extends Error {
  override name = 'MatrixError';
}

const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);

export function expandMatrix(matrix: Json): Combination[] {
  if (matrix === null || matrix === undefined) return [{}];
  if (typeof matrix !== 'object' || Array.isArray(matrix)) throw new MatrixError('strategy.matrix must be a mapping');
  const { include, exclude, ...vectors } = matrix as Record<string, Json>;
  let combos: Combination[] = [{}];
  for (const [key, values] of Object.entries(vectors)) {
    if (!Array.isArray(values)) throw new MatrixError(`matrix vector '${key}' must be a sequence`);
    if (values.length === 0) throw new MatrixError(`Matrix vector '${key}' does not contain any values`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  if (Object.keys(vectors).length === 0) combos = [];
  for (const ex of asList(exclude, 'exclude')) {
    combos = combos.filter((c) => !Object.entries(ex).every(([k, v]) => k in c && same(c[k] as Json, v)));
  }
  const originals = combos.map((c) => ({ ...c }));
  const extra: Combination[] = [];
  for (const inc of asList(include, 'include')) {
    let added = false;
    combos.forEach((c, i) => {
      const orig = originals[i] as Combination;
      const fits = Object.entries(inc).every(([k, v]) => !(k in orig) || same(orig[k] as Json, v));
      if (fits) {
        Object.assign(c, inc);
        added = true;
      }
    });
    if (!added) extra.push({ ...inc });
  }
  const all = [...combos, ...extra];
  if (all.length === 0) throw new MatrixError('Matrix vector does not contain any values');
  if (all.length > 256)
    throw new MatrixError(`a matrix can generate at most 256 jobs, this one generates ${all.length}`);
  return all;
}

function asList(value: Json | undefined, what: string): Combination[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MatrixError(`matrix ${what} must be a sequence of mappings`);
  return value.map((v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MatrixError(`matrix ${what} items must be mappings`);
    return v as Combination;
  });
}

/** GitHub's leg name: `build (a, b)` from the combination's values (objects as JSON). */
export function legName(jobName: string, combo: Combination): string {
  const values = Object.values(combo).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
  return values.length ? `${jobName} (${values.join(', ')})` : jobName;
}
