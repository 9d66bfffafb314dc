// The loaded shape of a workflow: raw tokens per job and step (evaluated at run time), plus what the parser already
// decided (needs, the `if:` wrapped in success() when it has no status function, generated step ids) and what the
// loader resolved (our actions, stand-ins, called workflows).

import type { EventsConfig } from '@actions/workflow-parser/model/workflow-template';
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { Locate } from '../expressions/template.ts';
import type { ActionTarget } from './refs.ts';

export interface StepSpec {
  /** `id:` or the parser's generated id (`__run`, `__actions_checkout`, …). */
  id: string;
  /** True when the workflow gave no id (not visible as steps.<id>). */
  generatedId: boolean;
  token: MappingToken;
  /** The condition, already `success() && (…)` when it names no status function. */
  if: string;
  ifToken: TemplateToken | undefined;
  /** `uses:` literal and its resolution (`./` local actions resolve at run time, after checkout). */
  uses?: { value: string; token: TemplateToken; target: ActionTarget };
  run?: TemplateToken;
}

export interface JobSpec {
  id: string;
  token: MappingToken;
  needs: string[];
  if: string;
  ifToken: TemplateToken | undefined;
  steps: StepSpec[];
  /** A job that calls a reusable workflow. */
  call?: { uses: string; token: TemplateToken; workflow: WorkflowSpec };
}

export interface WorkflowSpec {
  /** Absolute path. */
  file: string;
  /** Path shown in messages (relative to the current directory when inside it). */
  display: string;
  root: MappingToken;
  events: EventsConfig;
  jobs: JobSpec[];
  locate: Locate;
}
