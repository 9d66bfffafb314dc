import { asRecord } from './types';
import type { Job, Step } from './workflow';

// Tools whose run executes code from the checkout or the package registry (install scripts, build plugins).
const BUILD_TOOLS = ['npm', 'npx', 'yarn', 'pnpm', 'bun', 'pip', 'pip3', 'poetry', 'make', 'gradle', 'mvn', 'cargo'];
const AT_COMMAND = String.raw`(?:^|[;&|(\n]|\bthen|\bdo|\belse)\s*`;
const TOOL = new RegExp(`${AT_COMMAND}(${BUILD_TOOLS.join('|')})(?=\\s|$)`, 'm');

/** Names of env variables (step and job level) whose value comes from `inputs.*`: what a caller decides. */
function inputVariables(step: Step, job: Job): string[] {
  const env = { ...asRecord(job.raw.env), ...asRecord(step.raw.env) };
  return Object.entries(env)
    .filter(([, v]) => typeof v === 'string' && /\$\{\{[^}]*\binputs\./.test(v))
    .map(([k]) => k);
}

/**
 * Why a `run:` step executes code a caller (or the caller's dependencies) controls, or undefined. Two shapes:
 * a command string taken from the workflow's inputs and executed (`bash -c "$CMD"`, `eval "$CMD"`, `"$CMD"` as a
 * command), and a package manager or build tool (npm ci runs every dependency's install scripts). A heuristic over
 * the script text; it is what the reusable workflows here would have to do to run a caller's build.
 */
export function runsCallerCode(step: Step, job: Job): string | undefined {
  const script = step.run;
  if (!script) return undefined;
  for (const name of inputVariables(step, job)) {
    const v = String.raw`"?\$\{?${name}\b`;
    const executed = new RegExp(
      String.raw`(?:\beval\s+|\b(?:ba)?sh\s+(?:\S+\s+)*?-[a-z]*c\s+)${v}|${AT_COMMAND}${v}\}?"?(?:\s|$)`,
      'm',
    );
    if (executed.test(script)) return `executes the caller's command from ${name}`;
  }
  const tool = TOOL.exec(script);
  if (tool) return `runs ${tool[1]} (code from the checkout and its dependencies)`;
  return undefined;
}
