/** One problem found by a check: which rule, in which file, where in it, and what is wrong. */
export interface Finding {
  rule: string;
  file: string;
  where: string;
  message: string;
}

export type Yaml = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** `findings` as readable lines, for assertion messages. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file} ${f.where}: [${f.rule}] ${f.message}`).join('\n');
}
