// IAM, the least a preflight needs (query protocol, Version 2010-05-08, SigV4 scope `iam`): GetRole, so "the task
// definition's execution role exists" can be checked against the account. Roles come from seeding (`roles[]`);
// nothing enforces what a role allows. Texts from the IAM API reference (GetRole: NoSuchEntity, 404).
import { randomUUID } from 'node:crypto';
import type { EmuContext, EmuResponse, SeedFixture, ServiceModule } from '../types.ts';
import { AwsError, parseQueryParams, queryError, queryOk, randomAlnum } from './ecs-wire.ts';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface Role {
  name: string;
  path: string;
  id: string;
  created: number;
  assumeRolePolicy: string;
  description?: string;
  maxSessionDuration: number;
}

/** The task execution role's usual trust policy (ecs-tasks.amazonaws.com may assume it). */
const ECS_TASKS_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** A role name or ARN (`arn:aws:iam::<acct>:role/<path>/<name>`) → its name. */
export function roleNameOf(ref: string): string {
  const m = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(ref);
  return m ? (m[1] as string) : ref;
}

export function createIamService(): ServiceModule {
  const roles = new Map<string, Role>();

  return {
    name: 'iam',
    classify(req) {
      const action = parseQueryParams(req).get('Action') ?? 'Unknown';
      return { operation: action, mutating: /^(Create|Delete|Put|Attach|Detach|Update|Tag|Untag)/.test(action) };
    },
    handle(req, ctx) {
      const params = parseQueryParams(req);
      const action = params.get('Action') ?? '';
      try {
        if (action !== 'GetRole')
          throw new AwsError('InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
        const name = params.get('RoleName') ?? '';
        if (!/^[\w+=,.@-]{1,64}$/.test(name)) {
          throw new AwsError(
            'ValidationError',
            `1 validation error detected: Value '${name}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
          );
        }
        const role = roles.get(name);
        if (!role) throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
        return queryOk(
          action,
          NS,
          {
            Role: {
              Path: role.path,
              RoleName: role.name,
              RoleId: role.id,
              Arn: `arn:aws:iam::${ctx.accountId}:role${role.path}${role.name}`,
              CreateDate: new Date(role.created).toISOString().replace(/\.\d{3}Z$/, 'Z'),
              // IAM returns the policy document URL-encoded
              AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicy),
              ...(role.description ? { Description: role.description } : {}),
              MaxSessionDuration: role.maxSessionDuration,
              RoleLastUsed: {},
            },
          },
          req.requestId,
        );
      } catch (err) {
        if (err instanceof AwsError) return queryError(NS, err, req.requestId);
        throw err;
      }
    },
    reset() {
      roles.clear();
    },
    seed(fixture: SeedFixture, ctx: EmuContext) {
      for (const raw of (fixture.roles as unknown[] | undefined) ?? []) {
        const spec = (typeof raw === 'string' ? { name: raw } : raw) as {
          name?: string;
          arn?: string;
          path?: string;
          assumeRolePolicy?: unknown;
          description?: string;
        };
        const ref = spec.name ?? spec.arn;
        if (!ref) throw new Error('seed roles[]: name or arn is required');
        const name = roleNameOf(ref);
        const path = spec.path ?? (spec.arn ? (/:role(\/.*\/)[^/]+$/.exec(spec.arn)?.[1] ?? '/') : '/');
        roles.set(name, {
          name,
          path,
          id: `AROA${randomAlnum(17, UPPER)}`,
          created: ctx.clock.now(),
          assumeRolePolicy:
            spec.assumeRolePolicy === undefined
              ? ECS_TASKS_TRUST
              : typeof spec.assumeRolePolicy === 'string'
                ? spec.assumeRolePolicy
                : JSON.stringify(spec.assumeRolePolicy),
          ...(spec.description ? { description: spec.description } : {}),
          maxSessionDuration: 3600,
        });
      }
    },
    throttleError(req): EmuResponse {
      return queryError(NS, new AwsError('Throttling', 'Rate exceeded'), req.requestId || randomUUID());
    },
  };
}
