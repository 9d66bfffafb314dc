// What a step implementation (run:, JavaScript action, stand-in) may use from the job running it.

import type { Permissions } from '../jobs/permissions.ts';
import type { RunRuntime } from '../jobs/runtime.ts';
import type { JobClaims } from '../standins/oidc-token.ts';

export interface StepHost {
  run: RunRuntime;
  jobLabel: string;
  workspace: string;
  tempDir: string;
  /** Cancellation of this step (run cancelled, job timed out, concurrency cancel). */
  signal: AbortSignal;
  permissions: Permissions;
  environment: string | undefined;
  token: string;
  claims: JobClaims;
  print(text: string): void;
  mask(value: string): void;
  annotate(level: 'error' | 'warning' | 'notice', message: string): void;
  debug(message: string): void;
}
