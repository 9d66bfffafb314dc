// The environment a step's process starts with: the runner machine's (PATH, locale; HOME isolated per run), the
// variables GitHub sets for every step (GITHUB_*, RUNNER_*, CI), the OIDC request variables only for jobs with
// `id-token: write`, then the env context (workflow → job → GITHUB_ENV → step; later wins).
import type { RunRuntime } from './runtime.ts';

export interface StepEnvInput {
  rt: RunRuntime;
  github: Record<string, unknown>;
  jobId: string;
  actionId: string;
  workspace: string;
  tempDir: string;
  toolCache: string;
  oidcEnv: Record<string, string>;
  addedPath: string[];
  envContext: Record<string, string>;
}

export function stepProcessEnv(i: StepEnvInput): Record<string, string> {
  const g = i.github;
  const s = (k: string) => String(g[k] ?? '');
  const machinePath = i.rt.machineEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  return {
    ...i.rt.machineEnv,
    PATH: [...[...i.addedPath].reverse(), machinePath].join(':'),
    HOME: i.rt.home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: i.actionId,
    GITHUB_ACTOR: s('actor'),
    GITHUB_ACTOR_ID: s('actor_id'),
    GITHUB_API_URL: s('api_url'),
    GITHUB_BASE_REF: '',
    GITHUB_EVENT_NAME: s('event_name'),
    GITHUB_EVENT_PATH: s('event_path'),
    GITHUB_GRAPHQL_URL: s('graphql_url'),
    GITHUB_HEAD_REF: '',
    GITHUB_JOB: i.jobId,
    GITHUB_REF: s('ref'),
    GITHUB_REF_NAME: s('ref_name'),
    GITHUB_REF_PROTECTED: s('ref_protected'),
    GITHUB_REF_TYPE: s('ref_type'),
    GITHUB_REPOSITORY: s('repository'),
    GITHUB_REPOSITORY_ID: s('repository_id'),
    GITHUB_REPOSITORY_OWNER: s('repository_owner'),
    GITHUB_REPOSITORY_OWNER_ID: s('repository_owner_id'),
    GITHUB_RETENTION_DAYS: s('retention_days'),
    GITHUB_RUN_ATTEMPT: s('run_attempt'),
    GITHUB_RUN_ID: s('run_id'),
    GITHUB_RUN_NUMBER: s('run_number'),
    GITHUB_SERVER_URL: s('server_url'),
    GITHUB_SHA: s('sha'),
    GITHUB_TRIGGERING_ACTOR: s('triggering_actor'),
    GITHUB_WORKFLOW: s('workflow'),
    GITHUB_WORKFLOW_REF: s('workflow_ref'),
    GITHUB_WORKFLOW_SHA: s('workflow_sha'),
    GITHUB_WORKSPACE: i.workspace,
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'self-hosted',
    RUNNER_NAME: 'deploy-actions-local-runner',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: i.tempDir,
    RUNNER_TOOL_CACHE: i.toolCache,
    ...i.oidcEnv,
    ...i.envContext,
  };
}
