import { appendOneOffTaskSummary, type OneOffTaskResult, Summary } from '@deploy-actions/kit';

export { oneOffTaskOutputs as outputsFor } from '@deploy-actions/kit';

/** The job summary: command, task (console link), duration, exit code, stopped reason, last lines. */
export function buildSummary(result: OneOffTaskResult, context: { command: string; cluster: string }): Summary {
  return appendOneOffTaskSummary(new Summary(), result, context);
}
