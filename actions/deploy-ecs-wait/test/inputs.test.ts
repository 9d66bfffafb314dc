import { writeFileSync } from 'node:fs';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { withInputs } from '@deploy-actions/kit/testing';
import {
  IMAGE,
  mutatingRequests,
  seedServices,
  taskDefWith,
  useTestEmulator,
  writeTaskDef,
} from '@deploy-actions/kit/testing/ecs-deploy';
import { beforeAll, describe, expect, test } from 'vitest';
import { getInputs } from '../src/inputs';
import { main } from '../src/main';

const t = useTestEmulator(100);
let tdFile: string;
let badJson: string;
let noFamily: string;
beforeAll(() => {
  tdFile = writeTaskDef(taskDefWith(IMAGE('v2')));
  badJson = writeTaskDef({});
  writeFileSync(badJson, '{\n  "family": "web",\n  "containerDefinitions": [\n}');
  const td = taskDefWith(IMAGE('v2'));
  delete td.family;
  noFamily = writeTaskDef(td);
});

const ok = () => ({ cluster: 'app', services: 'api', 'task-definition': tdFile });

describe('inputs', () => {
  test('defaults', async () => {
    const inputs = await withInputs(ok(), () => getInputs());
    expect(inputs.request).toMatchObject({
      cluster: 'app',
      forceNewDeployment: false,
      wait: true,
      waitTimeoutMs: 30 * 60_000,
      autoRollback: true,
      markKnownGood: true,
      healthChecks: [],
    });
    expect(inputs.request.services[0]).toMatchObject({ service: 'api', taskDefinition: { kind: 'file' } });
    expect(inputs.preflight).toEqual({ verify: true, verifySecretKeys: false });
    expect(inputs.plan).toEqual({ enabled: false, comment: false });
  });

  test('plan, comment and its token; verify off', async () => {
    const inputs = await withInputs(
      { ...ok(), plan: 'true', comment: 'true', 'github-token': 'ghs_token', verify: 'false' },
      () => getInputs(),
    );
    expect(inputs.plan).toEqual({ enabled: true, comment: true, githubToken: 'ghs_token' });
    expect(inputs.preflight).toEqual({ verify: false, verifySecretKeys: false });
  });

  test('service=file lines, ARNs and family:revision', async () => {
    const inputs = await withInputs(
      {
        cluster: 'app',
        services: `api=${tdFile}\nworker=arn:aws:ecs:us-east-1:000000000000:task-definition/worker:3\ncron=cron:2`,
      },
      () => getInputs(),
    );
    expect(inputs.request.services.map((s) => s.taskDefinition?.kind)).toEqual(['file', 'arn', 'family']);
  });

  test('rollback-to parses its modes', async () => {
    for (const [raw, kind] of [
      ['known-good', 'known-good'],
      ['previous', 'previous'],
      ['7', 'revision'],
      ['web:7', 'arn'],
      ['v1.2.3', 'version'],
    ]) {
      const inputs = await withInputs({ cluster: 'app', services: 'api', 'rollback-to': raw! }, () => getInputs());
      expect(inputs.request.rollbackTo?.kind).toBe(kind);
    }
  });
});

// Each bad input fails with a ConfigurationError naming the input, before any mutating call.
describe('bad inputs fail before any mutating call', () => {
  beforeAll(async () => {
    await seedServices(t.control);
  });

  test.each<[string, Record<string, string>, string, RegExp]>([
    ['missing cluster', { services: 'api', 'task-definition': 'TD' }, 'cluster', /required/],
    ['missing services', { cluster: 'app', 'task-definition': 'TD' }, 'services', /required/],
    [
      'bad service name',
      { cluster: 'app', services: 'api v2', 'task-definition': 'TD' },
      'services',
      /not a service name/,
    ],
    [
      'service listed twice',
      { cluster: 'app', services: 'api,api', 'task-definition': 'TD' },
      'services',
      /listed twice/,
    ],
    ['missing task definition', { cluster: 'app', services: 'api' }, 'task-definition', /is required/],
    [
      'task definition file not found',
      { cluster: 'app', services: 'api', 'task-definition': 'nope.json' },
      'task-definition',
      /not found/,
    ],
    [
      'invalid JSON with line/column',
      { cluster: 'app', services: 'api', 'task-definition': 'BAD' },
      'task-definition',
      /line \d+/,
    ],
    ['no family', { cluster: 'app', services: 'api', 'task-definition': 'NOFAMILY' }, 'task-definition', /no "family"/],
    [
      'malformed ARN',
      { cluster: 'app', services: 'api', 'task-definition': 'arn:aws:ecs:us-east-1:1:task/x' },
      'task-definition',
      /revision ARN/,
    ],
    ['bad boolean', { ...base(), wait: 'yes' }, 'wait', /true or false/],
    ['negative keep-revisions', { ...base(), 'keep-revisions': '-1' }, 'keep-revisions', /./],
    ['keep-revisions not a number', { ...base(), 'keep-revisions': 'all' }, 'keep-revisions', /./],
    ['bad duration', { ...base(), 'wait-timeout': 'ten minutes' }, 'wait-timeout', /duration/],
    ['negative desired count', { ...base(), 'desired-count': '-1' }, 'desired-count', /integer/],
    ['bad health URL', { ...base(), 'health-check-url': 'ftp://example.com' }, 'health-check-url', /http/],
    [
      'health status out of range',
      { ...base(), 'health-check-url': 'http://x', 'health-check-status': '42' },
      'health-check-status',
      /between/,
    ],
    [
      'health body without URL',
      { ...base(), 'health-check-body': 'ok' },
      'health-check-body',
      /health-check-url is empty/,
    ],
    [
      'rollback-to with task-definition',
      { ...base(), 'rollback-to': 'known-good' },
      'rollback-to',
      /cannot be combined/,
    ],
    ['bad rollback-to ARN', { cluster: 'app', services: 'api', 'rollback-to': 'arn:aws:ecs:x' }, 'rollback-to', /ARN/],
    [
      'failure-threshold out of range',
      { ...base(), 'failure-threshold': '0' },
      'failure-threshold',
      /between 1 and 200/,
    ],
    // the one rule per input kind
    [
      'health-check-timeout 0',
      { ...base(), 'health-check-url': 'http://x', 'health-check-timeout': '0' },
      'health-check-timeout',
      /between 1s and 6h/,
    ],
    [
      'health-check URL with credentials',
      { ...base(), 'health-check-url': 'https://ops:hunter2@app.example/health' },
      'health-check-url',
      /^(?!.*hunter2).*health-check-headers/,
    ],
    [
      'health-check-headers without a URL',
      { ...base(), 'health-check-headers': 'X-A: 1' },
      'health-check-headers',
      /health-check-url is empty/,
    ],
    ['cluster with a slash', { ...base(), cluster: 'app/prod' }, 'cluster', /cluster name/],
    ['unknown service (read-only check)', { ...base(), services: 'api,ghost' }, 'services', /ghost \(not found\)/],
    ['unknown cluster (read-only check)', { ...base(), cluster: 'nope' }, 'cluster', /not found/],
    [
      'unknown task definition ARN (read-only check)',
      { ...base(), 'task-definition': 'web:99' },
      'task-definition',
      /not found/,
    ],
    [
      'verify-secret-keys without verify',
      { ...base(), verify: 'false', 'verify-secret-keys': 'true' },
      'verify-secret-keys',
      /verify is false/,
    ],
    ['comment without plan', { ...base(), comment: 'true' }, 'comment', /plan is false/],
    [
      'comment without a token',
      { ...base(), plan: 'true', comment: 'true', 'github-token': ' ' },
      'github-token',
      /is empty/,
    ],
    ['plan: yes', { ...base(), plan: 'yes' }, 'plan', /true or false/],
    [
      'no previous revision in the history (read-only check)',
      { cluster: 'app', services: 'api', 'rollback-to': 'previous' },
      'rollback-to',
      /no earlier revision/,
    ],
    [
      'no known-good revision (read-only check)',
      { cluster: 'app', services: 'api', 'rollback-to': 'known-good' },
      'rollback-to',
      /known-good/,
    ],
  ])('%s', async (_name, raw, input, message) => {
    await t.control.clearRequests();
    const inputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw))
      inputs[k] = v === 'TD' ? tdFile : v === 'BAD' ? badJson : v === 'NOFAMILY' ? noFamily : v;
    const err = await withInputs(inputs, () => main()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).input).toBe(input);
    expect((err as Error).message).toMatch(message);
    expect(await mutatingRequests(t.control)).toEqual([]);
  });
});

function base(): Record<string, string> {
  return { cluster: 'app', services: 'api', 'task-definition': 'TD' };
}
