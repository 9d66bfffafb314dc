// `::name key=value,…::data` workflow commands on a step's stdout/stderr (actions/runner ActionCommandManager):
// add-mask, error/warning/notice (with file/line), debug, group/endgroup, stop-commands/<token>, echo, and the
// deprecated set-output/save-state (processed with a warning, as the runner still does). set-env and add-path are
// disabled on GitHub and fail the step here too.
export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
}

const unescapeData = (s: string) => s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => unescapeData(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',');

/** Parse one line; undefined when it is not a command. */
export function parseCommand(line: string): WorkflowCommand | undefined {
  const m = /^\s*::([A-Za-z][\w-]*)(?:\s+([^:]*?))?::(.*)$/.exec(line);
  if (!m) return undefined;
  const properties: Record<string, string> = {};
  for (const part of (m[2] ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) properties[part.slice(0, eq).trim()] = unescapeProperty(part.slice(eq + 1));
  }
  return { name: (m[1] as string).toLowerCase(), properties, data: unescapeData(m[3] ?? '') };
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: string;
}

export interface CommandSink {
  mask(value: string): void;
  annotate(a: Annotation): void;
  setOutput(name: string, value: string): void;
  saveState(name: string, value: string): void;
  /** A command the runner refuses (the step fails). */
  refuse(message: string): void;
  debug(message: string): void;
}

/** Per-step command processor with the runner's stop-commands state. */
export class CommandProcessor {
  private stopToken: string | undefined;
  private warnedSetOutput = false;

  constructor(private readonly sink: CommandSink) {}

  /** Handle one line; returns the text to print (undefined = print nothing). */
  line(line: string): string | undefined {
    const cmd = parseCommand(line);
    if (!cmd) return line;
    if (this.stopToken !== undefined) {
      if (cmd.name === this.stopToken.toLowerCase()) this.stopToken = undefined;
      return line;
    }
    switch (cmd.name) {
      case 'add-mask':
        this.sink.mask(cmd.data);
        return undefined;
      case 'error':
      case 'warning':
      case 'notice':
        this.sink.annotate({
          level: cmd.name,
          message: cmd.data,
          ...(cmd.properties.file ? { file: cmd.properties.file } : {}),
          ...(cmd.properties.line ? { line: cmd.properties.line } : {}),
        });
        return `${cmd.name === 'error' ? 'Error' : cmd.name === 'warning' ? 'Warning' : 'Notice'}: ${cmd.data}`;
      case 'debug':
        this.sink.debug(cmd.data);
        return undefined;
      case 'group':
        return `▸ ${cmd.data}`;
      case 'endgroup':
      case 'echo':
      case 'add-matcher':
      case 'remove-matcher':
        return undefined;
      case 'stop-commands':
        this.stopToken = cmd.data;
        return undefined;
      case 'set-output':
      case 'save-state': {
        if (!this.warnedSetOutput) {
          this.warnedSetOutput = true;
          this.sink.annotate({
            level: 'warning',
            message: `The \`${cmd.name}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.`,
          });
        }
        const name = cmd.properties.name ?? '';
        if (cmd.name === 'set-output') this.sink.setOutput(name, cmd.data);
        else this.sink.saveState(name, cmd.data);
        return undefined;
      }
      case 'set-env':
      case 'add-path':
        this.sink.refuse(
          `The \`${cmd.name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`.`,
        );
        return undefined;
      default:
        return line;
    }
  }
}
