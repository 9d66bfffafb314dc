// A stand-in runs in the runner's process instead of a third-party action. It sees the step's `with:` inputs and
// environment exactly as the real action would (so a job without `id-token: write` has no OIDC request URL), and
// reports through the same command files (outputs, env, path) as any action.
import { appendFileSync } from 'node:fs';
import type { StepFiles } from '../steps/file-commands.ts';
import type { StepHost } from '../steps/step-host.ts';

export interface StandinContext {
  host: StepHost;
  /** `with:` values, keys as written. */
  inputs: Record<string, string>;
  /** The process environment the real action would get. */
  env: Record<string, string>;
  files: StepFiles;
}

/** Thrown for a failure the real action reports with core.setFailed. */
export class StandinFailure extends Error {
  override name = 'StandinFailure';
}

export type Standin = (ctx: StandinContext) => Promise<void>;

let n = 0;
function heredoc(file: string, name: string, value: string): void {
  const delimiter = `ghadelimiter_${process.pid}_${++n}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

export const setOutput = (ctx: StandinContext, name: string, value: string) =>
  heredoc(ctx.files.GITHUB_OUTPUT, name, value);
export const exportVariable = (ctx: StandinContext, name: string, value: string) =>
  heredoc(ctx.files.GITHUB_ENV, name, value);
export const addPath = (ctx: StandinContext, dir: string) => appendFileSync(ctx.files.GITHUB_PATH, `${dir}\n`);

/** core.getInput semantics: trimmed, '' when absent. */
export function input(ctx: StandinContext, name: string, fallback = ''): string {
  const key = Object.keys(ctx.inputs).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : ctx.inputs[key];
  return (v ?? fallback).trim();
}

/** core.getBooleanInput semantics (YAML 1.2 core schema booleans). */
export function booleanInput(ctx: StandinContext, name: string, fallback: boolean): boolean {
  const v = input(ctx, name);
  if (v === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new StandinFailure(
    `Input does not meet YAML 1.2 "Core Schema" specification: ${name}\nSupport boolean input list: \`true | True | TRUE | false | False | FALSE\``,
  );
}
