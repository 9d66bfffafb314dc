// The three ways a run ends early, each with its exit code: a usage mistake or a workflow-file error (exit 2,
// before any step runs) and an internal failure of the runner itself.

/** A command-line or option mistake (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One or more errors in a workflow file, each `file:line:col: message` (exit 2, before any step runs). */
export class WorkflowFileError extends Error {
  override name = 'WorkflowFileError';
  readonly errors: string[];
  constructor(errors: string[]) {
    super(errors.join('\n'));
    this.errors = errors;
  }
}

/** Where a workflow-file token is, for messages: `path:line:col`. */
export function where(file: string, range: { start: { line: number; column: number } } | undefined): string {
  return range ? `${file}:${range.start.line}:${range.start.column}` : file;
}
