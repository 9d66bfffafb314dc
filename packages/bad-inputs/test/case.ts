import type { World } from './world';

/** Inputs of a case, or a function of the world (for values only known once the emulator runs). */
export type CaseInputs = Record<string, string> | ((w: World) => Record<string, string>);

/** One user mistake: the inputs a user would write, and the input the one error line must name. */
export interface BadInputCase {
  /** What the user did, as a test title. */
  name: string;
  inputs: CaseInputs;
  /** The input the ConfigurationError names (`Input '<input>': …`). */
  input: string;
  /** What the message must say (beyond naming the input). */
  message?: RegExp;
  /** Text that must not appear in the message (a password the user pasted). */
  hidden?: string;
  /** Extra environment for this case (GITHUB_REF, AWS_REGION …). */
  env?: Record<string, string>;
  /** Runs after the world is seeded (a GitHub deployment the case refers to …). */
  setup?: () => void | Promise<void>;
  /**
   * Why the case is not enforced yet, with the issue that will: the case is listed (skipped, with this reason in its
   * title) so the gap stays visible.
   */
  pending?: string;
}

type CaseDetails = Omit<BadInputCase, 'name' | 'inputs' | 'input'>;

/** A case from its parts: what the user did, the inputs they wrote, the input the error must name. */
export function badCase(name: string, inputs: CaseInputs, input: string, more: CaseDetails = {}): BadInputCase {
  return { name, inputs, input, ...more };
}

/** The usual case: `input` set to one wrong `value`, and the error must name that same input. */
export function bad(name: string, input: string, value: string, more: CaseDetails = {}): BadInputCase {
  return badCase(name, { [input]: value }, input, more);
}

/** `bad` titled by the value itself: `<input>: <value>`. */
export function valueCase(input: string, value: string, more: CaseDetails = {}): BadInputCase {
  return bad(`${input}: ${value}`, input, value, more);
}

/** The bad-input table of one action and how to run its `main` in this process. */
export interface ActionCases {
  action: string;
  /** Runs the action's main (the kit's run catches what it throws; here the error is returned by runInProcess). */
  main: (env: NodeJS.ProcessEnv) => Promise<void>;
  /** Inputs every case starts from (a valid run), overridden by the case's inputs; '' removes an input. */
  base: CaseInputs;
  cases: BadInputCase[];
}

export function inputsOf(inputs: CaseInputs, w: World): Record<string, string> {
  return typeof inputs === 'function' ? inputs(w) : inputs;
}

/** The step's inputs of case `c`: the suite's base overridden by the case; an input set to '' is left out. */
export function caseInputs(suite: ActionCases, c: BadInputCase, w: World): Record<string, string> {
  const merged = { ...inputsOf(suite.base, w), ...inputsOf(c.inputs, w) };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== ''));
}
