// Everything a run does after its plan: the write stages (publish → record → prune → invalidate), the summary and
// the plan comment. main.ts imports this module lazily, so the bundle keeps it in a chunk compiled while the run
// already talks to S3, not before its first request (issue #15, cold start).
export { commentPlan } from '../plan-comment';
export { renderPlan, writeSummary } from '../summary';
export { invalidate } from './invalidate';
export { prune } from './prune';
export { publish } from './publish';
export { record } from './record';
