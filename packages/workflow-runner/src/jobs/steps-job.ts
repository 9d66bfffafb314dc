// One job with steps (one matrix leg), as the runner runs it (actions/runner StepsRunner, JobExtension): a fresh
// workspace and RUNNER_TEMP, the job's GITHUB_TOKEN (its permissions), the OIDC request variables only with
// `id-token: write`, then each step: env evaluated, `if` evaluated (already `success() && (…)` when it names no status
// function), run, outcome → conclusion through continue-on-error; cancellation re-evaluates the running step's `if`
// and cancels it unless the condition still holds (`always()`); post steps in reverse order; outputs and the
// environment URL evaluated at the end. timeout-minutes on steps and on the job.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import {
  evaluateCondition,
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  type JobStatus,
  TokenEvaluationError,
  type TokenScope,
} from '../expressions/index.ts';
import type { JobSpec, StepSpec } from '../parse/model.ts';
import { literal, prop } from '../parse/tokens.ts';
import type { JobResult, Result, StepResult } from '../report/result.ts';
import { STANDINS } from '../standins/index.ts';
import type { JobClaims } from '../standins/oidc-token.ts';
import { StandinFailure } from '../standins/types.ts';
import { actionInputs, type PostStep, readManifest, runActionStep } from '../steps/action-step.ts';
import { createStepFiles, readStepFiles } from '../steps/file-commands.ts';
import { runScriptStep } from '../steps/run-step.ts';
import type { ExecResult } from '../steps/step-exec.ts';
import type { StepHost } from '../steps/step-host.ts';
import type { JobContexts, StepsEntry } from './job-context.ts';
import type { Permissions } from './permissions.ts';
import type { Invocation, RunRuntime } from './runtime.ts';
import { stepProcessEnv } from './step-env.ts';

export const DEFAULT_JOB_TIMEOUT_MINUTES = 360;

export interface StepsJobInput {
  rt: RunRuntime;
  inv: Invocation;
  spec: JobSpec;
  /** `deploy/build` or `build (a, b)` */
  label: string;
  name: string;
  contexts: Omit<JobContexts, 'env' | 'steps' | 'job' | 'runner'>;
  workflowEnv: Record<string, string>;
  permissions: Permissions;
  environment: { name: string; urlToken: TemplateToken | undefined } | undefined;
  claims: JobClaims;
  /** Cancels the job (run cancelled or concurrency cancel-in-progress). */
  cancel: AbortSignal;
}

function safeName(s: string): string {
  return s.replace(/[^\w.-]+/g, '_').slice(0, 60);
}

function defaultsRun(spec: JobSpec, inv: Invocation): { shell?: string; workingDirectory?: string } {
  const pick = (t: TemplateToken | undefined) => prop(prop(t, 'defaults'), 'run');
  const job = pick(spec.token);
  const wf = pick(inv.workflow.root);
  const get = (k: string) => (literal(prop(job, k)) ?? literal(prop(wf, k))) as string | undefined;
  return { shell: get('shell'), workingDirectory: get('working-directory') };
}

export async function runStepsJob(input: StepsJobInput): Promise<JobResult> {
  const { inv, spec, label } = input;
  // The job's own masker (masks registered by its steps stay in this job, as on GitHub).
  const rt = { ...input.rt, masker: input.rt.masker.fork() };
  const started = Date.now();
  const number = rt.nextJobNumber();
  const repoName = rt.repository.split('/')[1] ?? 'repo';
  const jobDir = join(rt.stateDir, 'jobs', `${number}-${safeName(label)}`);
  const workspace = join(jobDir, 'work', repoName, repoName);
  const tempDir = join(jobDir, 'temp');
  const toolCache = join(rt.stateDir, 'toolcache');
  for (const d of [workspace, tempDir, toolCache]) mkdirSync(d, { recursive: true });
  const locate = inv.workflow.locate;
  const log = (text: string) => rt.log.line(label, rt.masker.mask(text));

  const token = rt.api.issueToken(input.permissions);
  rt.masker.add(token);
  const oidcEnv: Record<string, string> = {};
  if (input.permissions['id-token'] === 'write') {
    const req = rt.api.issueOidcRequest(input.claims);
    rt.masker.add(req.token);
    oidcEnv.ACTIONS_ID_TOKEN_REQUEST_URL = req.url;
    oidcEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN = req.token;
  }
  const github = { ...input.contexts.github, job: spec.id, token, workspace, action: '', action_path: '' };
  const secrets = { ...input.contexts.secrets, GITHUB_TOKEN: token };
  const runner = {
    name: 'deploy-actions-local-runner',
    os: 'Linux',
    arch: 'X64',
    temp: tempDir,
    tool_cache: toolCache,
    environment: 'self-hosted',
  };

  let status: 'success' | 'failure' | 'cancelled' = 'success';
  let jobMessage: string | undefined;
  const steps: Record<string, StepsEntry> = {};
  const results: StepResult[] = [];
  const posts: PostStep[] = [];
  const addedEnv: Record<string, string> = {};
  const addedPath: string[] = [];
  let summary = '';

  const jobStatus: JobStatus = {
    success: () => status === 'success',
    failure: () => status === 'failure',
    cancelled: () => status === 'cancelled',
  };
  const scope = (env: Record<string, string>): TokenScope => ({
    contexts: {
      ...input.contexts,
      github,
      secrets,
      env,
      steps,
      runner,
      job: { status, container: { network: '', id: '' }, services: {} },
    },
    status: jobStatus,
    workspace,
    locate,
  });

  // Job-level values, evaluated before the first step.
  let jobEnv: Record<string, string> = { ...input.workflowEnv };
  let timeoutMinutes = DEFAULT_JOB_TIMEOUT_MINUTES;
  let continueOnError = false;
  try {
    jobEnv = { ...jobEnv, ...evaluateStringMap(prop(spec.token, 'env'), scope(jobEnv)) };
    const t = evaluateToken(prop(spec.token, 'timeout-minutes'), scope(jobEnv));
    if (typeof t === 'number') timeoutMinutes = t;
    continueOnError = evaluateToken(prop(spec.token, 'continue-on-error'), scope(jobEnv)) === true;
  } catch (err) {
    return finish('failure', (err as Error).message);
  }
  const defaults = defaultsRun(spec, inv);

  const jobAbort = new AbortController();
  let currentStepAbort: AbortController | undefined;
  let currentStepCondition: (() => boolean) | undefined;
  const onCancel = () => {
    if (status !== 'failure' || !jobMessage) status = 'cancelled';
    jobAbort.abort();
    // The runner re-evaluates the running step's condition; it keeps running only when it still holds.
    if (currentStepAbort && !(currentStepCondition?.() ?? false)) currentStepAbort.abort();
  };
  input.cancel.addEventListener('abort', onCancel, { once: true });
  if (input.cancel.aborted) onCancel();
  const timer = setTimeout(() => {
    jobMessage = `The job running on runner deploy-actions-local-runner has exceeded the maximum execution time of ${timeoutMinutes} minutes.`;
    log(`##[error]${jobMessage}`);
    status = 'failure';
    jobAbort.abort();
    currentStepAbort?.abort();
  }, timeoutMinutes * 60_000);

  const host = (signal: AbortSignal, stepAnnotations: StepResult['annotations']): StepHost => ({
    run: rt,
    jobLabel: label,
    workspace,
    tempDir,
    signal,
    permissions: input.permissions,
    environment: input.environment?.name,
    token,
    claims: input.claims,
    print: (text) => log(text),
    mask: (v) => rt.masker.add(v),
    annotate: (level, message) => {
      const m = rt.masker.mask(message);
      stepAnnotations.push({ level, message: m });
      log(`##[${level}]${m}`);
    },
    debug: () => {},
  });

  const envFor = (envContext: Record<string, string>, actionId: string) =>
    stepProcessEnv({
      rt,
      github,
      jobId: spec.id,
      actionId,
      workspace,
      tempDir,
      toolCache,
      oidcEnv,
      addedPath,
      envContext,
    });

  for (const step of spec.steps) {
    await runOneStep(step);
  }
  for (const post of posts.reverse()) {
    await runPost(post);
  }
  clearTimeout(timer);
  input.cancel.removeEventListener('abort', onCancel);
  return finish(status, jobMessage);

  async function runOneStep(step: StepSpec): Promise<void> {
    const startedStep = Date.now();
    const annotations: StepResult['annotations'] = [];
    const baseEnv = { ...jobEnv, ...addedEnv };
    let name = step.uses ? `Run ${step.uses.value}` : `Run ${firstLine(step.run)}`;
    const record = (
      outcome: Result,
      conclusion: Result,
      outputs: Record<string, string>,
      error?: string,
      stepSummary?: string,
    ) => {
      if (!step.generatedId) steps[step.id] = { outputs, outcome, conclusion };
      results.push({
        ...(step.generatedId ? {} : { id: step.id }),
        name,
        outcome,
        conclusion,
        durationMs: Date.now() - startedStep,
        outputs,
        ...(error ? { error: rt.masker.mask(error) } : {}),
        annotations,
        ...(stepSummary ? { summary: stepSummary } : {}),
      });
      if (conclusion === 'failure' && status === 'success') status = 'failure';
      const mark = conclusion === 'success' ? '✓' : conclusion === 'skipped' ? '-' : '✗';
      log(`${mark} ${name} (${outcome === conclusion ? outcome : `${outcome}, continue-on-error`})`);
    };
    let stepEnv: Record<string, string>;
    let stepScope: TokenScope;
    try {
      stepEnv = { ...baseEnv, ...evaluateStringMap(prop(step.token, 'env'), scope(baseEnv)) };
      stepScope = scope(stepEnv);
      const nameToken = prop(step.token, 'name');
      if (nameToken) name = evaluateString(nameToken, stepScope);
    } catch (err) {
      annotations.push({ level: 'error', message: (err as Error).message });
      log(`##[error]${(err as Error).message}`);
      return record('failure', 'failure', {}, (err as Error).message);
    }
    let run: boolean;
    try {
      run = evaluateCondition(step.if, stepScope);
    } catch (err) {
      const msg = `${locate(step.ifToken)}: ${(err as Error).message}`;
      annotations.push({ level: 'error', message: msg });
      return record('failure', 'failure', {}, msg);
    }
    if (!run) return record('skipped', 'skipped', {});
    log(`▶ ${name}`);
    let coe = false;
    let stepTimeout: number | undefined;
    try {
      coe = evaluateToken(prop(step.token, 'continue-on-error'), stepScope) === true;
      const t = evaluateToken(prop(step.token, 'timeout-minutes'), stepScope);
      if (typeof t === 'number') stepTimeout = t;
    } catch (err) {
      return record('failure', 'failure', {}, (err as Error).message);
    }
    const stepAbort = new AbortController();
    currentStepAbort = stepAbort;
    currentStepCondition = () => {
      try {
        return evaluateCondition(step.if, scope(stepEnv));
      } catch {
        return false;
      }
    };
    if (jobAbort.signal.aborted && !currentStepCondition()) stepAbort.abort();
    const h = host(stepAbort.signal, annotations);
    let result: ExecResult;
    try {
      result = await execute(step, stepScope, stepEnv, h, name, stepTimeout);
    } catch (err) {
      const msg =
        err instanceof TokenEvaluationError || err instanceof StandinFailure
          ? err.message
          : `${(err as Error).message}`;
      result = {
        outcome: 'failure',
        files: { outputs: {}, env: {}, state: {}, path: [], summary: '', errors: [] },
        error: msg,
      };
    }
    currentStepAbort = undefined;
    currentStepCondition = undefined;
    Object.assign(addedEnv, result.files.env);
    addedPath.push(...result.files.path);
    for (const v of Object.values(result.files.env)) if (rt.masker.mask(v) !== v) rt.masker.add(v);
    const stepSummary = result.files.summary ? rt.masker.mask(result.files.summary) : undefined;
    if (stepSummary) summary += `${stepSummary}\n`;
    if (result.error && !annotations.some((a) => a.message === rt.masker.mask(result.error as string))) {
      h.annotate('error', result.error);
    }
    const outcome: Result = result.outcome;
    const conclusion: Result = outcome === 'failure' && coe ? 'success' : outcome;
    if (outcome === 'cancelled' && status === 'success') status = 'cancelled';
    record(outcome, conclusion, result.files.outputs, result.error, stepSummary);
  }

  async function execute(
    step: StepSpec,
    stepScope: TokenScope,
    stepEnv: Record<string, string>,
    h: StepHost,
    name: string,
    timeout: number | undefined,
  ): Promise<ExecResult> {
    const actionId = step.id;
    if (step.run) {
      const script = evaluateString(step.run, stepScope);
      const shellToken = prop(step.token, 'shell');
      const wdToken = prop(step.token, 'working-directory');
      return runScriptStep(h, {
        script,
        shell: shellToken ? evaluateString(shellToken, stepScope) : defaults.shell,
        workingDirectory: wdToken ? evaluateString(wdToken, stepScope) : defaults.workingDirectory,
        env: envFor(stepEnv, actionId),
        ...(timeout !== undefined ? { timeoutMinutes: timeout } : {}),
      });
    }
    const uses = step.uses;
    if (!uses) throw new Error('a step needs run or uses');
    const withValues = evaluateStringMap(prop(step.token, 'with'), stepScope);
    const target = uses.target;
    if (target.kind === 'standin') {
      const files = createStepFiles(join(tempDir, '_runner_file_commands'));
      const env = envFor(stepEnv, actionId);
      try {
        await STANDINS[target.name]({ host: h, inputs: withValues, env, files });
      } catch (err) {
        const read = readStepFiles(files);
        return { outcome: h.signal.aborted ? 'cancelled' : 'failure', files: read, error: (err as Error).message };
      }
      const read = readStepFiles(files);
      return {
        outcome: read.errors.length ? 'failure' : 'success',
        files: read,
        ...(read.errors.length ? { error: read.errors.join('; ') } : {}),
      };
    }
    let dir: string;
    let manifestFile: string;
    let actionRepository = '';
    let actionRef = '';
    if (target.kind === 'ours') {
      dir = target.dir;
      manifestFile = target.manifest;
      actionRepository = rt.self.full;
      actionRef = uses.value.slice(uses.value.lastIndexOf('@') + 1);
    } else if (target.kind === 'local') {
      dir = join(workspace, target.path);
      const { existsSync } = await import('node:fs');
      manifestFile = [join(dir, 'action.yml'), join(dir, 'action.yaml')].find((f) => existsSync(f)) ?? '';
      if (!manifestFile) {
        throw new StandinFailure(
          `Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '${dir}'. Did you forget to run actions/checkout before running your local action?`,
        );
      }
    } else {
      throw new StandinFailure(`${uses.value}: not runnable here`);
    }
    const manifest = readManifest(manifestFile);
    const defaultScope = {
      contexts: {
        github,
        strategy: input.contexts.strategy,
        matrix: input.contexts.matrix,
        job: { status },
        runner,
        env: stepEnv,
        inputs: input.contexts.inputs,
        vars: input.contexts.vars,
      },
      status: jobStatus,
      workspace,
    };
    const inputsEnv = actionInputs(manifest, withValues, defaultScope, (m) => h.annotate('warning', m));
    const { result, post } = await runActionStep(h, {
      dir,
      manifest,
      manifestFile,
      inputsEnv,
      env: envFor(stepEnv, actionId),
      actionRepository,
      actionRef,
      stepName: name.replace(/^Run /, ''),
      ...(timeout !== undefined ? { timeoutMinutes: timeout } : {}),
    });
    if (post) posts.push(post);
    return result;
  }

  async function runPost(post: PostStep): Promise<void> {
    const startedStep = Date.now();
    const annotations: StepResult['annotations'] = [];
    const env = { ...jobEnv, ...addedEnv };
    let run = false;
    try {
      run = evaluateCondition(post.condition, scope(env));
    } catch (err) {
      annotations.push({ level: 'error', message: (err as Error).message });
    }
    if (!run) {
      results.push({
        name: post.name,
        outcome: 'skipped',
        conclusion: 'skipped',
        durationMs: 0,
        outputs: {},
        post: true,
        annotations,
      });
      return;
    }
    log(`▶ ${post.name}`);
    const stepAbort = new AbortController();
    const h = host(stepAbort.signal, annotations);
    const result = await post.run(h, envFor(env, 'post'));
    if (result.error) h.annotate('error', result.error);
    const stepSummary = result.files.summary ? rt.masker.mask(result.files.summary) : undefined;
    if (stepSummary) summary += `${stepSummary}\n`;
    if (result.outcome === 'failure' && status === 'success') status = 'failure';
    results.push({
      name: post.name,
      outcome: result.outcome,
      conclusion: result.outcome,
      durationMs: Date.now() - startedStep,
      outputs: {},
      post: true,
      ...(result.error ? { error: rt.masker.mask(result.error) } : {}),
      annotations,
      ...(stepSummary ? { summary: stepSummary } : {}),
    });
  }

  function finish(final: 'success' | 'failure' | 'cancelled', message?: string): JobResult {
    const env = { ...jobEnv, ...addedEnv };
    const outputs: Record<string, string> = {};
    let url: string | undefined;
    try {
      for (const [k, v] of Object.entries(evaluateStringMap(prop(spec.token, 'outputs'), scope(env)))) {
        if (rt.masker.mask(v) !== v) {
          log(`##[warning]Skip output '${k}' since it may contain secret.`);
          continue;
        }
        outputs[k] = v;
      }
      if (input.environment?.urlToken) url = evaluateString(input.environment.urlToken, scope(env));
    } catch (err) {
      message = message ?? (err as Error).message;
      final = 'failure';
    }
    const result: Result = final;
    return {
      id: spec.id,
      name: input.name,
      path: label,
      result,
      conclusion: result === 'failure' && continueOnError ? 'success' : result,
      durationMs: Date.now() - started,
      outputs,
      ...(Object.keys(input.contexts.matrix).length ? { matrix: input.contexts.matrix } : {}),
      ...(input.environment ? { environment: { name: input.environment.name, ...(url ? { url } : {}) } } : {}),
      ...(message ? { message: rt.masker.mask(message) } : {}),
      steps: results,
      ...(summary ? { summary } : {}),
    };
  }
}

function firstLine(token: TemplateToken | undefined): string {
  const v = literal(token);
  const source = token && 'source' in token ? (token as { source?: string }).source : undefined;
  const text = v === undefined ? (source ?? '') : String(v);
  return (
    text
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? ''
  );
}
