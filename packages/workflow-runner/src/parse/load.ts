// Load a caller workflow and every workflow it calls, with GitHub's own parser (@actions/workflow-parser): schema
// validation, expression syntax and allowed contexts, `needs` to unknown jobs, inputs/secrets a called workflow
// does not declare or requires. On top: every `uses:` resolves (our actions, stand-ins, our workflows) or fails.
// All of it before any step runs; every error is `file:line:col: message` (WorkflowFileError, exit 2).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  convertWorkflowTemplate,
  isBasicExpression,
  NoOperationTraceWriter,
  parseWorkflow,
} from '@actions/workflow-parser';
import { TemplateContext, TemplateValidationErrors } from '@actions/workflow-parser/templates/template-context';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { type FileReference, fileIdentifier } from '@actions/workflow-parser/workflows/file-reference';
import { getWorkflowSchema } from '@actions/workflow-parser/workflows/workflow-schema';
import { WorkflowFileError } from '../errors.ts';
import type { SelfRepository } from '../self-repo.ts';
import { checkCallInputs } from './call-inputs.ts';
import type { JobSpec, StepSpec, WorkflowSpec } from './model.ts';
import { RefError, resolveAction, resolveWorkflow } from './refs.ts';
import { entries, items, literalString, prop } from './tokens.ts';
import { readScalarsByValue } from './yaml-scalars.ts';

readScalarsByValue();

/** GitHub's limit: a caller plus three levels of called workflows. */
const MAX_DEPTH = 4;

export interface LoadOptions {
  self: SelfRepository;
  /** Reads `./…` files of the caller repository at the event's commit (undefined when absent). */
  readCallerRepoFile: (path: string) => string | undefined;
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** `name (Line: 5, Col: 9): msg` → `name:5:9: msg` */
function formatError(message: string): string {
  return message.replace(/^(.*?) \(Line: (\d+), Col: (\d+)\): /, '$1:$2:$3: ');
}

interface Loader {
  context: TemplateContext;
  errors: string[];
  opts: LoadOptions;
  /** display name → absolute path (or `./…` caller-repo path) */
  files: Map<string, string>;
}

function locateIn(loader: Loader) {
  return (token: TemplateToken | undefined): string => {
    if (!token || token.file === undefined) return '<workflow>';
    const name = loader.context.getFileName(token.file) ?? '<workflow>';
    return token.range ? `${name}:${token.range.start.line}:${token.range.start.column}` : name;
  };
}

interface Source {
  name: string;
  content: string;
  file: string;
}

function readTarget(loader: Loader, uses: string): Source {
  const target = resolveWorkflow(uses, loader.opts.self);
  if (target.kind === 'ours') {
    return { name: display(target.file), content: readFileSync(target.file, 'utf8'), file: target.file };
  }
  const content = loader.opts.readCallerRepoFile(target.path);
  if (content === undefined) throw new RefError(`${uses}: ${target.path} does not exist in the caller repository`);
  return { name: target.path, content, file: target.path };
}

async function loadOne(loader: Loader, source: Source, depth: number): Promise<WorkflowSpec | undefined> {
  const { context } = loader;
  const parsed = parseWorkflow({ name: source.name, content: source.content }, context);
  if (!parsed.value) return undefined;
  const refErrors = new Map<string, string>();
  const template = await convertWorkflowTemplate(
    context,
    parsed.value,
    {
      getFileContent: async (ref: FileReference) => {
        const uses = fileIdentifier(ref);
        try {
          const s = readTarget(loader, uses);
          return { name: s.name, content: s.content };
        } catch (err) {
          refErrors.set(uses, (err as Error).message);
          throw err;
        }
      },
    },
    { fetchReusableWorkflowDepth: 1, maxReusableWorkflowDepth: MAX_DEPTH - depth },
  );
  const locate = locateIn(loader);
  for (const e of context.errors.getErrors()) {
    let msg = formatError(e.message);
    if (msg.endsWith('Unable to find reusable workflow')) {
      const reason = [...refErrors.values()].find(Boolean);
      if (reason) msg = `${msg}: ${reason}`;
    }
    if (!loader.errors.includes(msg)) loader.errors.push(msg);
  }
  context.errors.clear();
  if (!template.jobs || loader.errors.length) return undefined;

  const root = parsed.value.assertMapping('workflow root');
  const rawJobs = new Map(entries(prop(root, 'jobs')).map(([id, token]) => [id, token]));
  const jobs: JobSpec[] = [];
  for (const job of template.jobs) {
    const id = job.id.value;
    const token = rawJobs.get(id)?.assertMapping(`job ${id}`);
    if (!token) continue;
    const spec: JobSpec = {
      id,
      token,
      needs: (job.needs ?? []).map((n) => n.value),
      if: job.if.expression,
      ifToken: prop(token, 'if'),
      steps: [],
    };
    for (const key of ['container', 'services', 'snapshot']) {
      const t = prop(token, key);
      if (t)
        loader.errors.push(
          `${locate(t)}: jobs.${id}.${key} is not supported by the local runner (no container engine)`,
        );
    }
    if (job.type === 'reusableWorkflowJob') {
      const usesToken = job.ref;
      try {
        const callee = readTarget(loader, usesToken.value);
        if (depth + 1 >= MAX_DEPTH) {
          loader.errors.push(
            `${locate(usesToken)}: reusable workflows can be nested ${MAX_DEPTH - 1} levels deep at most`,
          );
          continue;
        }
        const workflow = await loadOne(loader, callee, depth + 1);
        if (workflow) {
          loader.errors.push(...checkCallInputs(token, workflow, locate));
          spec.call = { uses: usesToken.value, token: usesToken, workflow };
        }
      } catch (err) {
        loader.errors.push(`${locate(usesToken)}: ${(err as Error).message}`);
      }
    } else {
      const rawSteps = items(prop(token, 'steps'));
      job.steps.forEach((step, i) => {
        const stepToken = rawSteps[i]?.assertMapping('step');
        if (!stepToken) return;
        for (const key of ['background', 'wait', 'wait-all', 'cancel', 'parallel']) {
          const t = prop(stepToken, key);
          if (t) loader.errors.push(`${locate(t)}: steps with \`${key}\` are not supported by the local runner`);
        }
        const s: StepSpec = {
          id: step.id,
          generatedId: prop(stepToken, 'id') === undefined,
          token: stepToken,
          if: 'if' in step && step.if ? step.if.expression : 'success()',
          ifToken: prop(stepToken, 'if'),
        };
        const usesToken = prop(stepToken, 'uses');
        const uses = literalString(usesToken);
        if (usesToken && uses !== undefined) {
          try {
            const target = resolveAction(uses, loader.opts.self);
            if (target.kind === 'docker')
              throw new RefError(`${uses}: docker actions need a container engine (none here)`);
            s.uses = { value: uses, token: usesToken, target };
          } catch (err) {
            loader.errors.push(`${locate(usesToken)}: ${(err as Error).message}`);
          }
        } else if (usesToken && isBasicExpression(usesToken)) {
          loader.errors.push(`${locate(usesToken)}: uses: cannot contain an expression`);
        }
        const run = prop(stepToken, 'run');
        if (run) s.run = run;
        spec.steps.push(s);
      });
    }
    jobs.push(spec);
  }
  return { file: source.file, display: source.name, root, events: template.events ?? {}, jobs, locate };
}

/** Load `file` (the caller) and everything it calls; throws WorkflowFileError with every problem found. */
export async function loadWorkflow(file: string, opts: LoadOptions, content?: string): Promise<WorkflowSpec> {
  const loader: Loader = {
    context: new TemplateContext(new TemplateValidationErrors(), getWorkflowSchema(), new NoOperationTraceWriter()),
    errors: [],
    opts,
    files: new Map(),
  };
  let text: string;
  try {
    text = content ?? readFileSync(file, 'utf8');
  } catch (err) {
    throw new WorkflowFileError([`${file}: cannot read the workflow file: ${(err as Error).message}`]);
  }
  const spec = await loadOne(loader, { name: display(file), content: text, file }, 0);
  if (loader.errors.length || !spec) {
    throw new WorkflowFileError(loader.errors.length ? loader.errors : [`${display(file)}: not a valid workflow`]);
  }
  return spec;
}
