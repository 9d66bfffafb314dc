// The seed systems' pipelines as scenarios (one place for every definition), and the harness that runs them.
export { type AppBehavior, AppHost, answer, routeFor, type Site } from './app-host.ts';
export { AppRepo } from './app-repo.ts';
export {
  allJobs,
  type CheckOutcome,
  failureTexts,
  type HarnessOptions,
  type HarnessResult,
  type RunRecord,
  runScenarios,
} from './harness.ts';
export { preflightLines } from './preflight-lines.ts';
export { Probe } from './probe.ts';
export { renderMarkdown, writeReport } from './report.ts';
export { SYSTEMS } from './systems/index.ts';
export type { Check, Scenario, ScenarioKind, SeedSystem } from './types.ts';
