import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigurationError } from '../errors';
import { FAMILY_REVISION_RE, isTaskDefinitionArn, parseArn } from './aws-ids';
import { quote } from './readers';

// The one grammar of task-definition references (deploy-ecs-wait `task-definition` and `services: name=…`,
// run-migration-task `task-definition`, render-task-def / deploy-ecs `template`, `template-family`, `template-arn`),
// in this order:
//   service:current            the service's running revision (where the input allows it)
//   arn:aws:ecs:…:task-definition/<family>:<revision>
//   a JSON file                 an existing file in the workspace, or anything with a / or \ or ending in .json
//   <family>:<revision> or <family>
// Each input allows the kinds it can use; anything else is a ConfigurationError listing them.

export const SERVICE_CURRENT = 'service:current';

export type TaskDefReference =
  /** A task definition JSON file (RegisterTaskDefinition JSON or describe-task-definition output). */
  | { kind: 'file'; path: string; absolutePath: string }
  /** A revision by ARN. */
  | { kind: 'arn'; arn: string }
  /** A family's latest ACTIVE revision, or one revision of it. */
  | { kind: 'family'; family: string; revision?: number }
  /** The service's current revision (`service:current`). */
  | { kind: 'service' };

export type TaskDefReferenceKind = TaskDefReference['kind'];

const KIND_TEXT: Record<TaskDefReferenceKind, string> = {
  file: 'a task definition JSON file',
  arn: 'arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>',
  family: 'a task definition family or family:revision',
  service: `'${SERVICE_CURRENT}'`,
};

export interface TaskDefReferenceOptions {
  /** Which kinds this input takes (in the message's order). */
  allow: readonly TaskDefReferenceKind[];
  /** Relative files resolve against this (the workspace). */
  baseDir: string;
  /** With kind 'family': a revision is required (`template-arn`) or refused (`template-family`); default optional. */
  revision?: 'required' | 'refused';
}

/** The reference `raw` names, of a kind the input allows. Blank is an error: callers check optional inputs first. */
export function parseTaskDefReference(input: string, raw: string, options: TaskDefReferenceOptions): TaskDefReference {
  const value = raw.trim();
  const expected = options.allow.map((k) => KIND_TEXT[k]).join(', or ');
  const refuse = (why: string): never => {
    throw new ConfigurationError(input, `${why}; expected ${expected}`);
  };
  if (value === '') throw new ConfigurationError(input, `is required: ${expected}`);
  if (value.startsWith('arn:') && !isTaskDefinitionArn(value)) {
    throw new ConfigurationError(
      input,
      `${quote(value)} is not a task definition revision ARN: expected ${KIND_TEXT.arn}${parseArn(value) ? '' : ' (the account is 12 digits)'}`,
    );
  }
  const ref = classify(value, options.baseDir);
  if (!ref) return refuse(`${quote(value)} is not a task definition reference`);
  if (!options.allow.includes(ref.kind))
    return refuse(`${quote(value)} is ${KIND_TEXT[ref.kind]}, which this input does not take`);
  if (ref.kind === 'family' && options.revision === 'required' && ref.revision === undefined) {
    return refuse(`${quote(value)} has no revision`);
  }
  if (ref.kind === 'family' && options.revision === 'refused' && ref.revision !== undefined) {
    return refuse(`${quote(value)} names a revision`);
  }
  if (ref.kind === 'file' && !existsSync(ref.absolutePath)) {
    throw new ConfigurationError(input, `file not found: ${value} (looked at ${ref.absolutePath})`);
  }
  return ref;
}

function classify(value: string, baseDir: string): TaskDefReference | undefined {
  if (value === SERVICE_CURRENT) return { kind: 'service' };
  if (value.startsWith('arn:')) return { kind: 'arn', arn: value };
  const absolutePath = isAbsolute(value) ? value : resolve(baseDir, value);
  if (existsSync(absolutePath) || /[/\\]|\.json$/i.test(value)) return { kind: 'file', path: value, absolutePath };
  if (FAMILY_REVISION_RE.test(value)) {
    const colon = value.lastIndexOf(':');
    return { kind: 'family', family: value.slice(0, colon), revision: Number(value.slice(colon + 1)) };
  }
  if (/^[A-Za-z0-9_-]{1,255}$/.test(value)) return { kind: 'family', family: value };
  return undefined;
}

/** The reference as ECS takes it (DescribeTaskDefinition, UpdateService, RunTask): ARN, family:revision or family. */
export function taskDefReferenceText(ref: Extract<TaskDefReference, { kind: 'arn' | 'family' }>): string {
  if (ref.kind === 'arn') return ref.arn;
  return ref.revision === undefined ? ref.family : `${ref.family}:${ref.revision}`;
}
