// Programmatic API: runWorkflow(options) → the same result the CLI prints and writes with --json.
export { UsageError, WorkflowFileError } from './errors.ts';
export { GitHubApi } from './github-api/server.ts';
export { type StandaloneGitHubApi, startGitHubApiStandIn } from './github-api/standalone.ts';
export type { JobResult, Result, RunResult, StepResult } from './report/result.ts';
export { formatTree } from './report/tree.ts';
export { type RunOptions, runWorkflow } from './run.ts';
export { REPO_ROOT, readSelfRepository } from './self-repo.ts';
