// pnpm workflow run <caller.yml> --repo <app dir> --event push|tag|dispatch --ref <ref> [--sha S] [--input k=v …]
//   [--secret k=v …] [--var k=v …] [--repository o/r] [--emulator URL] [--json FILE] [--state-dir DIR] [--self DIR]
// Exit 0: the run concluded success (or the on: filters skipped it); 1: it failed or was cancelled; 2: a usage or
// workflow-file error (file:line), reported before any step runs. SIGINT cancels the run as GitHub does.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, WorkflowFileError } from './errors.ts';
import type { EventKind } from './events/filters.ts';
import { formatTree } from './report/tree.ts';
import { runWorkflow } from './run.ts';

const USAGE = `usage: pnpm workflow run <caller.yml> --repo <app dir> --event push|tag|dispatch --ref <ref>
       [--sha SHA] [--input k=v ...] [--secret k=v ...] [--var k=v ...] [--repository owner/name]
       [--emulator URL] [--json FILE] [--state-dir DIR] [--self DIR] [--quiet]
  --self DIR   the deploy-actions checkout our \`uses:\` resolve to (default: this one)`;

function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} ${v}: expected name=value`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        repo: { type: 'string' },
        event: { type: 'string' },
        ref: { type: 'string' },
        sha: { type: 'string' },
        input: { type: 'string', multiple: true },
        secret: { type: 'string', multiple: true },
        var: { type: 'string', multiple: true },
        repository: { type: 'string' },
        emulator: { type: 'string' },
        json: { type: 'string' },
        'state-dir': { type: 'string' },
        self: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, workflow] = positionals;
  const event = values.event as string | undefined;
  if (command !== 'run' || !workflow || !values.repo || !event || !values.ref) {
    console.error(USAGE);
    return 2;
  }
  if (!['push', 'tag', 'dispatch'].includes(event)) {
    console.error(`--event ${event}: expected push, tag or dispatch\n${USAGE}`);
    return 2;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      console.error(
        'cancelling the run (steps get SIGINT, then SIGTERM after 7.5 s; always() and post steps still run)',
      );
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await runWorkflow({
      workflow,
      repo: values.repo as string,
      event: event as EventKind,
      ref: values.ref as string,
      ...(values.sha ? { sha: values.sha as string } : {}),
      inputs: pairs(values.input as string[] | undefined, '--input'),
      secrets: pairs(values.secret as string[] | undefined, '--secret'),
      vars: pairs(values.var as string[] | undefined, '--var'),
      ...(values.repository ? { repository: values.repository as string } : {}),
      ...(values.emulator ? { emulatorUrl: values.emulator as string } : {}),
      ...(values['state-dir'] ? { stateDir: values['state-dir'] as string, keepState: true } : {}),
      ...(values.self ? { selfRoot: values.self as string } : {}),
      signal: controller.signal,
      log: values.quiet ? { line: () => {} } : { line: (job, text) => console.log(`[${job}] ${text}`) },
    });
    console.log(`\n${formatTree(result)}`);
    if (values.json) writeFileSync(values.json as string, `${JSON.stringify(result, null, 2)}\n`);
    return result.conclusion === 'success' || result.skipped ? 0 : 1;
  } catch (err) {
    if (err instanceof WorkflowFileError) {
      for (const e of err.errors) console.error(`error: ${e}`);
      return 2;
    }
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    console.error(err);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
