// Types for scripts/test-summary.mjs (plain JS so scripts/test.mjs runs it without a build step).
export declare function closingLine(report: unknown): { line: string; failed: number };
