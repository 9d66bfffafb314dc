import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runsCallerCode } from './build-commands';
import { type LoadedYaml, loadYaml } from './files';
import { type RepoIdentity, readRepoIdentity } from './identity';
import { selfReferenceProblem } from './self-references';
import { asRecord, type Finding, isRecord } from './types';
import {
  classifyUses,
  concurrencyOf,
  isCheckout,
  isConfigureAwsCredentials,
  type Job,
  jobsOf,
  triggersOf,
} from './workflow';

const SHA = /^[0-9a-f]{40}$/;
const EXPR = '$' + '{{';

/** The permission value of `id-token` at one level: 'write', 'read', 'none' or undefined when not granted. */
function idToken(permissions: unknown): string | undefined {
  if (permissions === 'write-all') return 'write';
  if (!isRecord(permissions)) return undefined;
  const v = permissions['id-token'];
  return typeof v === 'string' ? v : undefined;
}

function grantsWrite(permissions: unknown): boolean {
  if (permissions === 'write-all') return true;
  if (!isRecord(permissions)) return false;
  return Object.values(permissions).some((v) => v === 'write');
}

function usesAws(job: Job): boolean {
  return job.steps.some((s) => isConfigureAwsCredentials(s.uses));
}

/** Our reusable workflow called by `job`, loaded from `root`, when it is one and it exists. */
function calleeOf(job: Job, root: string, self: RepoIdentity): LoadedYaml | undefined {
  if (!job.uses) return undefined;
  const ref = classifyUses(job.uses, self);
  const path = ref.kind === 'our-workflow' || ref.kind === 'local' ? ref.path : undefined;
  if (!path || !/^\.github\/workflows\//.test(path) || !existsSync(join(root, path))) return undefined;
  return loadYaml(path, root);
}

export interface SecurityOptions {
  /**
   * How self-references must name the release: `exact` (`@vX.Y.Z` of package.json) for this repository's own
   * reusable workflows, `major-or-exact` (`@vX` or `@vX.Y.Z`) for callers such as the examples. Default: `exact` for
   * files under `.github/workflows/` of `root`, `major-or-exact` elsewhere.
   */
  selfReferences?: 'exact' | 'major-or-exact';
}

/**
 * The security and hygiene rules of anchors/security-reliability.md section A, items 1-4, 6 and 7, plus this
 * repository's own: self-references name this repository at this release, and no job that can mint an OIDC token
 * runs caller-supplied build code.
 */
export function checkSecurity(wf: LoadedYaml, root: string, options: SecurityOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const self = readRepoIdentity(root);
  const selfMode =
    options.selfReferences ?? (/^\.github[\\/]workflows[\\/]/.test(wf.path) ? 'exact' : 'major-or-exact');
  const add = (rule: string, where: string, message: string) => findings.push({ rule, file: wf.path, where, message });
  const lines = wf.text.split(/\r?\n/);
  const jobs = jobsOf(wf.doc);
  const triggers = triggersOf(wf.doc);

  // dangerous triggers
  for (const t of ['pull_request_target', 'workflow_run']) {
    if (t in triggers) add('dangerous-trigger', `on.${t}`, `${t} runs with secrets on untrusted input: not allowed`);
  }

  // permissions: declared at workflow level, and read-only there; id-token never at workflow level
  if (!('permissions' in wf.doc)) {
    add('permissions-declared', 'permissions', "declare workflow-level permissions ('{}' or read-only)");
  } else if (grantsWrite(wf.doc.permissions)) {
    add(
      'permissions-read-only',
      'permissions',
      'workflow-level permissions must be {} or read-only; grant writes per job',
    );
  }
  const workflowConcurrency = concurrencyOf(wf.doc.concurrency);

  for (const job of jobs) {
    const where = `jobs.${job.id}`;
    const callee = calleeOf(job, root, self);
    const calleeJobs = callee ? jobsOf(callee.doc) : [];
    const jobIdToken = idToken(job.raw.permissions);

    // id-token: write only where an AWS role is assumed (directly or by the called workflow)
    if (jobIdToken === 'write') {
      const justified = usesAws(job) || calleeJobs.some(usesAws);
      if (!justified)
        add('id-token-scope', where, 'id-token: write on a job that assumes no AWS role (configure-aws-credentials)');
    }
    const oidcSteps = job.steps.filter(
      (s) =>
        isConfigureAwsCredentials(s.uses) &&
        s.with['role-to-assume'] !== undefined &&
        s.with['aws-access-key-id'] === undefined,
    );
    if (oidcSteps.length && jobIdToken !== 'write') {
      add('id-token-missing', where, 'assumes an AWS role with OIDC but the job does not grant id-token: write');
    }
    if (callee && calleeJobs.some(usesAws) && jobIdToken !== 'write') {
      add('id-token-missing', where, `${job.uses} assumes an AWS role: the calling job must grant id-token: write`);
    }

    // secrets: inherit
    if (job.raw.secrets === 'inherit')
      add('no-secrets-inherit', where, 'pass secrets explicitly, not secrets: inherit');

    // pinned uses (job-level calls of third-party reusable workflows too)
    const allUses = [
      ...(job.uses ? [{ uses: job.uses, where }] : []),
      ...job.steps.flatMap((s) => (s.uses ? [{ uses: s.uses, where: s.where }] : [])),
    ];
    for (const { uses, where: w } of allUses) {
      const ref = classifyUses(uses, self);
      if (ref.kind === 'foreign-self') {
        const [owner = '', name = ''] = ref.repo.split('/');
        const problem = selfReferenceProblem({ owner, name, ref: ref.ref }, self, selfMode);
        if (problem) add(problem.rule, w, `${uses} ${problem.message}`);
      } else if ((ref.kind === 'our-action' || ref.kind === 'our-workflow') && ref.ref !== undefined) {
        const problem = selfReferenceProblem({ owner: self.owner, name: self.name, ref: ref.ref }, self, selfMode);
        if (problem) add(problem.rule, w, `${uses} ${problem.message}`);
      } else if (ref.kind === 'docker') {
        if (!/@sha256:[0-9a-f]{64}$/.test(ref.image))
          add('pinned-uses', w, `${uses}: pin docker images by @sha256 digest`);
      } else if (ref.kind === 'remote') {
        if (!SHA.test(ref.ref)) {
          add('pinned-uses', w, `${uses}: pin to a full 40-character commit SHA`);
        } else {
          const line = lines.find((l) => l.includes(uses));
          if (!line || !/#\s*v?\d+(\.\d+)*/.test(line.slice(line.indexOf(uses) + uses.length))) {
            add('pinned-uses-comment', w, `${uses}: add the version as a comment (# vX.Y.Z)`);
          }
        }
      }
    }

    // no caller-supplied build code where an OIDC token can be minted (the build's dependencies could take it)
    if (jobIdToken === 'write') {
      for (const step of job.steps) {
        const reason = runsCallerCode(step, job);
        if (reason)
          add('id-token-no-build', step.where, `${reason} in a job with id-token: write: build in a job without it`);
      }
    }

    for (const step of job.steps) {
      // no expressions inside scripts
      if (step.run?.includes(EXPR))
        add('no-expression-in-run', step.where, `pass values through env:, not $\{{ }} inside run:`);
      if (step.uses && /^actions\/github-script@/i.test(step.uses) && String(step.with.script ?? '').includes(EXPR)) {
        add('no-expression-in-run', step.where, `pass values through env:, not $\{{ }} inside script:`);
      }
      // checkout must not leave the token in .git/config
      if (isCheckout(step.uses)) {
        const pc = step.with['persist-credentials'];
        if (!(pc === false || pc === 'false'))
          add('checkout-persist-credentials', step.where, 'set persist-credentials: false');
      }
    }

    // concurrency: deploy jobs (environment) and calls of our deploy workflows serialise, never cancel
    const jobConcurrency = concurrencyOf(job.raw.concurrency);
    const effective = jobConcurrency ?? workflowConcurrency;
    const deploys = job.raw.environment !== undefined || calleeJobs.some((j) => j.raw.environment !== undefined);
    if (deploys) {
      if (!effective) {
        add('concurrency', where, 'deploys to an environment without a concurrency group');
      } else if (effective.cancelInProgress !== false) {
        add('concurrency', where, 'deploy concurrency needs an explicit cancel-in-progress: false');
      }
    }
    if (callee && effective) {
      const calleeGroups = [
        concurrencyOf(callee.doc.concurrency)?.group,
        ...calleeJobs.map((j) => concurrencyOf(j.raw.concurrency)?.group),
      ].filter((g): g is string => !!g);
      if (calleeGroups.includes(effective.group)) {
        add(
          'concurrency-distinct',
          where,
          `caller and ${callee.path} share the concurrency group '${effective.group}' (the caller would be cancelled)`,
        );
      }
    }

    // no cache restore in tag / release workflows (cache poisoning)
    const tagTriggered = isRecord(triggers.push) && asRecord(triggers.push).tags !== undefined;
    if (tagTriggered || 'release' in triggers) {
      for (const step of job.steps) {
        if (
          (step.uses && /^actions\/cache(\/restore)?@/i.test(step.uses)) ||
          (step.uses && /^actions\/setup-/i.test(step.uses) && step.with.cache)
        ) {
          add('no-cache-in-release', step.where, 'no cache restore in tag/release workflows');
        }
      }
    }
  }
  return findings;
}
