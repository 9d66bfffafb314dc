// The `github` context and the event payload (GITHUB_EVENT_PATH) for one event, with the fields GitHub documents
// for push and workflow_dispatch. Per-step fields (action, action_path, env, path, job) are added by the job.
import type { AppRepo } from '../repo/app-repo.ts';
import type { EventKind } from './filters.ts';

export interface RunIdentity {
  repository: string;
  runId: string;
  runNumber: string;
  actor: string;
  apiUrl: string;
  serverUrl: string;
  workflowName: string;
  /** Path of the caller workflow inside the app repo (`.github/workflows/staging.yml`). */
  workflowPath: string;
  token: string;
}

export function eventName(kind: EventKind): string {
  return kind === 'dispatch' ? 'workflow_dispatch' : 'push';
}

export function eventPayload(kind: EventKind, app: AppRepo, id: RunIdentity, inputs: Record<string, string>): object {
  const [owner, name] = id.repository.split('/');
  const repository = {
    id: 1,
    name,
    full_name: id.repository,
    owner: { login: owner, id: 1, type: 'Organization' },
    private: true,
    html_url: `${id.serverUrl}/${id.repository}`,
    default_branch: 'main',
  };
  const sender = { login: id.actor, id: 1, type: 'User' };
  if (kind === 'dispatch') {
    return { inputs, ref: app.ref, repository, sender, workflow: id.workflowPath };
  }
  const message = app.commitMessage(app.sha);
  const headCommit = {
    id: app.sha,
    tree_id: '',
    message,
    timestamp: '2026-01-01T00:00:00Z',
    author: { name: 'deploy-actions runner', email: 'runner@deploy-actions.invalid' },
    committer: { name: 'deploy-actions runner', email: 'runner@deploy-actions.invalid' },
  };
  return {
    ref: app.ref,
    before: app.parent || '0000000000000000000000000000000000000000',
    after: app.sha,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${id.serverUrl}/${id.repository}/compare/${(app.parent || app.sha).slice(0, 12)}...${app.sha.slice(0, 12)}`,
    commits: kind === 'tag' ? [] : [headCommit],
    head_commit: headCommit,
    pusher: { name: id.actor, email: null },
    repository,
    sender,
  };
}

/** The parts of the github context that are the same for every job of the run. */
export function githubContext(
  kind: EventKind,
  app: AppRepo,
  id: RunIdentity,
  event: object,
  eventPath: string,
): Record<string, unknown> {
  const [owner] = id.repository.split('/');
  return {
    action: '',
    action_path: '',
    action_ref: '',
    action_repository: '',
    actor: id.actor,
    actor_id: '1',
    api_url: id.apiUrl,
    base_ref: '',
    event,
    event_name: eventName(kind),
    event_path: eventPath,
    graphql_url: `${id.apiUrl}/graphql`,
    head_ref: '',
    ref: app.ref,
    ref_name: app.refName,
    ref_protected: false,
    ref_type: app.refType,
    repository: id.repository,
    repository_id: '1',
    repository_owner: owner,
    repository_owner_id: '1',
    repositoryUrl: `git://github.com/${id.repository}.git`,
    retention_days: '90',
    run_id: id.runId,
    run_number: id.runNumber,
    run_attempt: '1',
    secret_source: 'Actions',
    server_url: id.serverUrl,
    sha: app.sha,
    token: id.token,
    triggering_actor: id.actor,
    workflow: id.workflowName,
    workflow_ref: `${id.repository}/${id.workflowPath}@${app.ref}`,
    workflow_sha: app.sha,
  };
}
