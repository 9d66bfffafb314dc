import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ConfigurationError, DeployFailure } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import {
  IMAGE,
  mutatingRequests,
  REGION,
  runMain,
  seedServices,
  TD_ARN,
  templateFile,
  useTestEmulator,
} from './helpers';

const t = useTestEmulator(100);
const template = templateFile();

const ops = async () => (await t.control.requests()).map((r) => r.operation);

describe('deploy-ecs: render → migrate → deploy on the emulator', () => {
  test('renders the image, runs the migration with the new revision before updating, deploys', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    await t.control.behaviors({ image: '*:v2', run: { logs: ['Applying migrations...', 'OK'], exitCode: 0 } });
    const err = await runMain({
      cluster: 'app',
      services: 'api\nworker',
      template,
      containers: `app=${IMAGE('v2')}`,
      'migration-command': 'python manage.py migrate --noinput',
    });
    expect(err).toBeUndefined();
    const log = await t.control.requests();
    const sequence = log.filter((r) => r.mutating).map((r) => r.operation);
    // register once, migrate (RunTask) before any UpdateService, then mark known-good
    expect(sequence.indexOf('RegisterTaskDefinition')).toBe(0);
    expect(sequence.indexOf('RunTask')).toBeLessThan(sequence.indexOf('UpdateService'));
    expect(sequence.filter((o) => o === 'UpdateService')).toHaveLength(2);
    expect(sequence).toContain('TagResource');
    const runTask = log.find((r) => r.operation === 'RunTask')!;
    expect(runTask.body).toContain(TD_ARN(2).split('/')[1]);
    expect(runTask.body).toContain('subnet-0emulator0000001'); // network copied from the service
  });

  test('same render again: reuses the revision, already running', async () => {
    // state continues from the previous test: web:2 is running and known-good
    await t.control.clearRequests();
    const err = await runMain({ cluster: 'app', services: 'api,worker', template, containers: `app=${IMAGE('v2')}` });
    expect(err).toBeUndefined();
    expect(await ops()).not.toContain('RegisterTaskDefinition');
  });

  test('a failing migration stops before any UpdateService', async () => {
    await seedServices(t.control);
    await t.control.behaviors({
      image: '*:v3',
      run: { logs: ['django.db.utils.OperationalError: no such table'], exitCode: 1 },
    });
    const err = await runMain({
      cluster: 'app',
      services: 'api',
      template,
      containers: `app=${IMAGE('v3')}`,
      'migration-command': '["python", "manage.py", "migrate"]',
    });
    expect(err).toBeInstanceOf(DeployFailure);
    expect((err as Error).message).toContain('Migration failed (services not updated)');
    expect((err as Error).message).toContain('OperationalError');
    expect(await ops()).not.toContain('UpdateService');
  });

  test('crash loop with breaker: fails and says ECS rolled back', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:crash', service: 'crashloop' });
    const err = await runMain({ cluster: 'app', services: 'api', template, containers: `app=${IMAGE('crash')}` });
    expect(err).toBeInstanceOf(DeployFailure);
    expect((err as Error).message).toContain('ECS rolled back to web:1');
  });

  test('pin-digest: the ECR-seeded tag is registered as its digest', async () => {
    await seedServices(t.control);
    await t.control.seed({ repositories: [{ name: 'web', images: [{ tag: 'v4', content: 'pin-digest' }] }] });
    const ecr = new ECRClient({ region: REGION });
    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v4' }] }),
    );
    const digest = described.imageDetails![0]!.imageDigest!;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    await t.control.clearRequests();

    const err = await runMain({
      cluster: 'app',
      services: 'api',
      template,
      containers: `app=${IMAGE('v4')}`,
      'pin-digest': 'true',
    });
    expect(err).toBeUndefined();
    const ecs = new ECSClient({ region: REGION });
    const registered = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: TD_ARN(2) }));
    const app = registered.taskDefinition!.containerDefinitions!.find((c) => c.name === 'app')!;
    expect(app.image).toBe(`${IMAGE('v4').replace(/:v4$/, '')}@${digest}`);
    // The lookup is read-only and happens before the revision is registered.
    const log = await t.control.requests();
    const operations = log.map((r) => r.operation);
    expect(operations.indexOf('DescribeImages')).toBeGreaterThanOrEqual(0);
    expect(operations.indexOf('DescribeImages')).toBeLessThan(operations.indexOf('RegisterTaskDefinition'));
  });

  test('pin-digest on a tag that is not in ECR fails before any mutating call', async () => {
    await seedServices(t.control);
    await t.control.seed({ repositories: [{ name: 'web', images: [{ tag: 'v4', content: 'pin-digest' }] }] });
    const err = await runMain({
      cluster: 'app',
      services: 'api',
      template,
      containers: `app=${IMAGE('v9')}`,
      'pin-digest': 'true',
    });
    expect(err).toBeInstanceOf(DeployFailure);
    expect((err as Error).message).toMatch(/web:v9 .*not found in ECR/);
    expect(await mutatingRequests(t.control)).toEqual([]);
  });

  test.each<[string, Record<string, string>, string]>([
    ['unknown container', { containers: `nope=${IMAGE('v2')}` }, 'containers'],
    ['two template sources', { 'template-family': 'web' }, 'template-family'],
    ['service=file lines', { services: 'api=task.json' }, 'services'],
    ['migration option without command', { 'migration-when': 'after' }, 'migration-when'],
    ['bad migration command JSON', { 'migration-command': '["python", ' }, 'migration-command'],
    ['bad migration-when', { 'migration-command': 'migrate', 'migration-when': 'during' }, 'migration-when'],
    [
      'unknown migration container',
      { 'migration-command': 'migrate', 'migration-container': 'db' },
      'migration-container',
    ],
    // the one rule per input kind (the same strings fail the same way in the single-purpose actions)
    ['migration-timeout 0', { 'migration-command': 'migrate', 'migration-timeout': '0' }, 'migration-timeout'],
    ['migration command with a glob', { 'migration-command': 'ls *.sql' }, 'migration-command'],
    ['migration command with a comment', { 'migration-command': 'migrate # note' }, 'migration-command'],
    ['migration command with an open quote', { 'migration-command': "echo 'x" }, 'migration-command'],
    ['health-check-timeout 0', { 'health-check-url': 'http://x', 'health-check-timeout': '0' }, 'health-check-timeout'],
    ['health-check URL with credentials', { 'health-check-url': 'https://ops:pw@app.example/h' }, 'health-check-url'],
    [
      'a 32-hex digest',
      { containers: `app=${IMAGE('v2').replace(/:v2$/, '')}@sha256:${'0123456789abcdef0123456789abcdef'}` },
      'containers',
    ],
    ['a secret value pasted into secrets', { secrets: 'DB_PASSWORD=hunter2 please' }, 'secrets'],
  ])('bad input: %s fails before any mutating call', async (_name, extra, input) => {
    await seedServices(t.control);
    const err = await runMain({ cluster: 'app', services: 'api', template, ...extra });
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).input).toBe(input);
    expect(await mutatingRequests(t.control)).toEqual([]);
  });
});
