import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedYaml } from './files';
import { dispatchChoices, interpolate, matrixRows } from './interpolate';
import { asRecord, type Finding } from './types';
import { jobsOf, triggersOf } from './workflow';

// One OIDC role per environment (#14 finding 3): the staging pipeline (push to main, no reviewers) must not be able
// to deploy production. The role's trust policy is what enforces it (the token's sub names the job's environment);
// these rules check that every example keeps to it.

/** Names an environment goes by in resource names: `production` also as `prod`/`prd`, `staging` as `stage`/`stg`. */
const ALIASES: Record<string, string[]> = {
  staging: ['staging', 'stage', 'stg'],
  production: ['production', 'prod', 'prd'],
};
const aliases = (environment: string) => ALIASES[environment] ?? [environment];

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
const statements = (policy: unknown) => {
  const p = asRecord(policy);
  return (Array.isArray(p.Statement) ? p.Statement : [p.Statement]).map(asRecord);
};

/** The environments a trust policy's `sub` conditions name (`repo:o/r:environment:<name>`), and the other subs. */
export function trustEnvironments(policy: unknown): { environments: string[]; other: string[] } {
  const environments = new Set<string>();
  const other: string[] = [];
  for (const st of statements(policy)) {
    if (st.Effect !== 'Allow') continue;
    const cond = asRecord(st.Condition);
    for (const op of ['StringEquals', 'StringLike']) {
      for (const sub of list(asRecord(cond[op])['token.actions.githubusercontent.com:sub'])) {
        const m = /^repo:[^:]+:environment:([^:*?]+)$/.exec(sub);
        if (m?.[1]) environments.add(m[1]);
        else other.push(sub);
      }
    }
  }
  return { environments: [...environments].sort(), other };
}

/** A role's trust policy admits tokens of exactly one GitHub environment, `environment`, and nothing else. */
export function checkRoleTrust(policy: unknown, file: string, environment: string): Finding[] {
  const findings: Finding[] = [];
  const add = (message: string) => findings.push({ rule: 'role-one-environment', file, where: 'Statement', message });
  const { environments, other } = trustEnvironments(policy);
  if (environments.length !== 1 || environments[0] !== environment) {
    add(
      `trusts environment(s) ${environments.join(', ') || '(none)'}: the ${environment} role trusts exactly ` +
        `repo:<owner>/<repo>:environment:${environment} (one role per environment)`,
    );
  }
  for (const sub of other) add(`sub ${sub} is not one environment: a job outside ${environment} could assume the role`);
  return findings;
}

/** Every resource a policy names, with where: `Resource` values and the values of its conditions. */
function namedValues(policy: unknown): { where: string; value: string }[] {
  return statements(policy).flatMap((st, i) => {
    const where = `Statement[${i}]${typeof st.Sid === 'string' ? ` (${st.Sid})` : ''}`;
    const conditions = Object.values(asRecord(st.Condition)).flatMap((op) =>
      Object.values(asRecord(op)).flatMap((v) => list(v)),
    );
    return [...list(st.Resource), ...conditions].map((value) => ({ where, value }));
  });
}

const tokens = (value: string) => value.toLowerCase().split(/[^a-z0-9]+/);
// Only ARNs name resources (condition values such as ecs-tasks.amazonaws.com do not). An ECR repository is shared on
// purpose: staging builds the image once, production promotes that digest.
const owned = (value: string) => /^arn:/.test(value) && !/^arn:aws:ecr:/.test(value);

/**
 * The `environment` role's permissions name only that environment's resources: no value that names another
 * environment (as a word: `app-production-api`, `/ecs/app-prod/*`), and no resource that another environment's
 * role also names (a distribution id such as E2APPPROD carries no environment word). ECR repositories are exempt
 * (see `owned`).
 */
export function checkRoleIsolation(
  policy: unknown,
  file: string,
  environment: string,
  others: readonly { environment: string; policy: unknown }[],
): Finding[] {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ rule: 'role-isolation', file, where, message });
  for (const { where, value } of namedValues(policy)) {
    const words = tokens(value);
    for (const other of others) {
      const word = aliases(other.environment).find((a) => words.includes(a));
      if (word) {
        add(
          where,
          `${value} names ${other.environment} ('${word}'): the ${environment} role names only ${environment}`,
        );
        continue;
      }
      if (owned(value) && namedValues(other.policy).some((v) => v.value === value)) {
        add(where, `${value} is also in the ${other.environment} role: each environment's resources in one role only`);
      }
    }
  }
  return findings;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/**
 * Every call of a reusable workflow in `wf` (an example caller) passes, for each environment it can run in, the role
 * of that environment: `aws-role-arn` resolves (per workflow_dispatch choice and matrix row) to
 * `arn:aws:iam::<account>:role/<prefix>-<environment>-deploy`, and `<appDir>/iam/<role>/trust-policy.json` trusts
 * exactly that environment. The local workflow runner reads the same files.
 */
export function checkCallerRoles(wf: LoadedYaml, appDir: string): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (where: string, message: string) => {
    if (seen.has(where + message)) return;
    seen.add(where + message);
    findings.push({ rule: 'role-per-environment', file: wf.path, where, message });
  };
  const choices = dispatchChoices(triggersOf(wf.doc));
  for (const job of jobsOf(wf.doc)) {
    const role = asRecord(job.raw.secrets)['aws-role-arn'];
    if (!job.uses || typeof role !== 'string') continue;
    const where = `jobs.${job.id}`;
    const environmentValue = asRecord(job.raw.with).environment;
    if (typeof environmentValue !== 'string') {
      add(where, 'pass `environment` explicitly: it decides which role the call must get');
      continue;
    }
    const rows = matrixRows(asRecord(job.raw.strategy).matrix).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [`matrix.${k}`, v])),
    );
    for (const choice of choices) {
      for (const row of rows) {
        const values = { ...choice, ...row };
        const environment = interpolate(environmentValue, values);
        const arn = interpolate(role, values);
        if (environment === undefined || arn === undefined) {
          add(where, `cannot resolve environment / aws-role-arn statically (${environmentValue} / ${role})`);
          continue;
        }
        const m = ROLE_ARN.exec(arn);
        if (!m?.[2]) {
          add(where, `aws-role-arn ${arn} is not an IAM role ARN`);
          continue;
        }
        const name = m[2];
        if (!name.endsWith(`-${environment}-deploy`)) {
          add(
            where,
            `environment ${environment} gets role ${name}: expected the ${environment} role (<prefix>-${environment}-deploy)`,
          );
        }
        const trustFile = join(appDir, 'iam', name, 'trust-policy.json');
        if (!existsSync(trustFile)) {
          add(where, `role ${name}: iam/${name}/trust-policy.json does not exist`);
          continue;
        }
        const trusted = trustEnvironments(JSON.parse(readFileSync(trustFile, 'utf8'))).environments;
        if (trusted.length !== 1 || trusted[0] !== environment) {
          add(
            where,
            `environment ${environment} gets role ${name}, whose trust policy names ${trusted.join(', ') || 'no environment'}`,
          );
        }
      }
    }
  }
  return findings;
}
