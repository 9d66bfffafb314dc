// Evaluate one `${{ }}` expression with GitHub's own parser and evaluator (@actions/expressions). The language
// package has contains/startsWith/format/join/toJSON/fromJSON built in; the status functions (success, failure,
// always, cancelled) and hashFiles are the runner's, so they are supplied here.
import { type data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info';
import { falsy, truthy } from '@actions/expressions/result';
import { toData } from './data.ts';
import { hashFiles } from './hash-files.ts';

export interface JobStatus {
  /** success(): no earlier step (or, for a job, no ancestor job) failed or was cancelled. */
  success(): boolean;
  /** failure(): an earlier step (or an ancestor job) failed. */
  failure(): boolean;
  /** cancelled(): the run was cancelled. */
  cancelled(): boolean;
}

export interface ExpressionScope {
  /** Context values by name (github, env, vars, secrets, inputs, needs, steps, job, runner, matrix, strategy). */
  contexts: Record<string, unknown>;
  status?: JobStatus;
  /** Root directory for hashFiles (GITHUB_WORKSPACE). */
  workspace?: string;
}

export const RUNNER_FUNCTIONS: FunctionInfo[] = [
  { name: 'success', minArgs: 0, maxArgs: 0 },
  { name: 'failure', minArgs: 0, maxArgs: 0 },
  { name: 'always', minArgs: 0, maxArgs: 0 },
  { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];

export const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'secrets',
  'inputs',
  'needs',
  'steps',
  'job',
  'jobs',
  'runner',
  'matrix',
  'strategy',
];

/** An expression that cannot be parsed or evaluated (the caller adds the file:line). */
export class ExpressionFailure extends Error {
  override name = 'ExpressionFailure';
}

function functions(scope: ExpressionScope): Map<string, FunctionDefinition> {
  const status = scope.status;
  const bool = (name: string, fn: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => toData(fn()) },
  ];
  return new Map<string, FunctionDefinition>([
    bool('success', () => status?.success() ?? true),
    bool('failure', () => status?.failure() ?? false),
    bool('always', () => true),
    bool('cancelled', () => status?.cancelled() ?? false),
    [
      'hashfiles',
      {
        name: 'hashFiles',
        minArgs: 1,
        maxArgs: 255,
        call: (...args: data.ExpressionData[]) => {
          if (!scope.workspace) throw new ExpressionFailure('hashFiles() is not available here (no workspace)');
          return toData(
            hashFiles(
              scope.workspace,
              args.map((a) => a.coerceString()),
            ),
          );
        },
      },
    ],
  ]);
}

/** Evaluate `expression` (without `${{ }}`) to expression data. */
export function evaluateData(expression: string, scope: ExpressionScope): data.ExpressionData {
  let tree: ReturnType<Parser['parse']>;
  try {
    const lexed = new Lexer(expression).lex();
    tree = new Parser(lexed.tokens, Object.keys(scope.contexts), RUNNER_FUNCTIONS).parse();
  } catch (err) {
    throw new ExpressionFailure(`invalid expression \`${expression}\`: ${(err as Error).message}`);
  }
  const dict = toData(scope.contexts) as data.Dictionary;
  try {
    return new Evaluator(tree, dict, functions(scope)).evaluate();
  } catch (err) {
    if (err instanceof ExpressionFailure) throw err;
    throw new ExpressionFailure(`error evaluating \`${expression}\`: ${(err as Error).message}`);
  }
}

/** Evaluate a condition (`if:`) to a boolean with GitHub's truthiness. */
export function evaluateCondition(expression: string, scope: ExpressionScope): boolean {
  return truthy(evaluateData(expression, scope));
}

export { falsy, truthy };
