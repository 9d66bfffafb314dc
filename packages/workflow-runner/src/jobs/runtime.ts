// What the jobs of one run share (RunRuntime) and what one workflow invocation carries (the caller's, or a called
// workflow's: its inputs, secrets, the permission cap of the calling job, the concurrency groups its callers hold).
import type { Json } from '../expressions/data.ts';
import type { GitHubApi } from '../github-api/server.ts';
import type { WorkflowSpec } from '../parse/model.ts';
import type { AppRepo } from '../repo/app-repo.ts';
import type { SelfRepository } from '../self-repo.ts';
import type { ArtifactStore } from '../standins/artifacts.ts';
import type { OidcIssuer } from '../standins/oidc-token.ts';
import type { Masker } from '../steps/masker.ts';
import type { ConcurrencyManager } from './concurrency.ts';
import type { Permissions } from './permissions.ts';

export interface RunLogger {
  /** One line of a job's log (already masked). */
  line(job: string, text: string): void;
}

export interface RunRuntime {
  self: SelfRepository;
  app: AppRepo;
  repository: string;
  /** github context fields shared by every job. */
  github: Record<string, unknown>;
  vars: Record<string, string>;
  emulatorUrl: string;
  api: GitHubApi;
  oidc: OidcIssuer;
  masker: Masker;
  artifacts: ArtifactStore;
  concurrency: ConcurrencyManager;
  /** Aborted when the run is cancelled (SIGINT, or the caller's cancel()). */
  cancelled: AbortSignal;
  log: RunLogger;
  stateDir: string;
  /** HOME of every step of this run (isolated from the machine's). */
  home: string;
  /** Node 24 for JavaScript actions. */
  nodePath: string;
  /** Environment of the (simulated) runner machine every process starts from. */
  machineEnv: Record<string, string>;
  nextJobNumber(): number;
}

export interface Invocation {
  workflow: WorkflowSpec;
  inputs: Record<string, Json>;
  secrets: Record<string, string>;
  /** Permissions of the calling job (undefined for the caller workflow itself). */
  permissionsCap?: Permissions;
  /** Concurrency groups held by the run and the calling jobs (a job asking for one of them deadlocks). */
  heldGroups: Array<{ group: string; holder: string }>;
  /** Path prefix of job labels (`deploy/` inside a called workflow). */
  prefix: string;
  /** `owner/repo/path@ref` of this workflow file (job_workflow_ref). */
  workflowRef: string;
}
