// The preflight, run as the runner runs the bundle: each problem the seeds' troubleshooting list names (an image for
// the wrong architecture, a secret or JSON key that is not there, a log group that does not exist, …) fails the step
// with exit 1 and one error naming the container, the cause and the fix, and the emulator's request log shows no
// mutating call. The images are REAL: built for arm64 and amd64 with buildah (FROM scratch, so nothing runs) and
// pushed, single-platform and as manifest lists, into the emulator's registry.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { peerTool } from '@deploy-actions/aws-emulator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  accountFixture,
  IMAGE,
  REGION,
  runBundle,
  SECRET_VALUE,
  seedServices,
  TD_ARN,
  taskDefWith,
  useTestEmulator,
  writeTaskDef,
} from './helpers';

const t = useTestEmulator(100);
const run = promisify(execFile);

async function deployBundle(td: Record<string, unknown>, inputs: Record<string, string> = {}, env = {}) {
  return runBundle(t, { 'task-definition': writeTaskDef(td), ...inputs }, { env });
}

/** A failed preflight: exit 1, one error naming the container and what, nothing changed in AWS. */
async function expectStopped(res: Awaited<ReturnType<typeof deployBundle>>, error: RegExp) {
  expect(res.code, res.stdout).toBe(1);
  expect(res.errors).toHaveLength(1);
  expect(res.errors[0]).toMatch(/^Preflight, nothing changed: container app: /);
  expect(res.errors[0]).toMatch(error);
  expect(res.errors[0]).toContain('. Fix: ');
  expect(res.mutating).toEqual([]);
  expect(res.outputs.status).toBe('failed');
  expect(res.summary).toContain('Deploy not started: the preflight found');
}

const withRuntime = (image: string, cpuArchitecture?: string) => ({
  ...taskDefWith(image),
  ...(cpuArchitecture ? { runtimePlatform: { cpuArchitecture, operatingSystemFamily: 'LINUX' } } : {}),
});

describe('preflight failures (bundle): exit 1, the container and the fix named, zero mutating calls', () => {
  test('an image tag that is not in ECR', async () => {
    await seedServices(t.control);
    await expectStopped(await deployBundle(taskDefWith(IMAGE('v4'))), /tag v4 not found in ECR repository web/);
  });

  test('a Secrets Manager secret that does not exist', async () => {
    await seedServices(t.control, { account: false });
    const { secrets: _none, ...rest } = accountFixture();
    await t.control.seed(rest);
    await expectStopped(
      await deployBundle(taskDefWith(IMAGE('v2'))),
      /Secrets Manager secret arn:aws:secretsmanager:us-east-1:000000000000:secret:app-secrets-AbCdEf does not exist in us-east-1: ECS would stop every task/,
    );
  });

  test('verify-secret-keys: a JSON key missing from the secret; the value is never printed', async () => {
    await seedServices(t.control, { account: false });
    const { secrets: _other, ...rest } = accountFixture();
    await t.control.seed({ ...rest, secrets: [{ name: 'app-secrets-AbCdEf', value: { OTHER_KEY: SECRET_VALUE } }] });
    const res = await deployBundle(taskDefWith(IMAGE('v2')), { 'verify-secret-keys': 'true' });
    await expectStopped(res, /has no JSON key DJANGO_SECRET_KEY: ECS would stop every task/);
    for (const text of [res.stdout, res.stderr, res.summary, JSON.stringify(res.outputs)]) {
      expect(text).not.toContain(SECRET_VALUE);
    }
    // without verify-secret-keys the key is not read (DescribeSecret only: metadata, never a value)
    await t.control.clearRequests();
    const metadataOnly = await deployBundle(taskDefWith(IMAGE('v2')), { wait: 'false' });
    expect(metadataOnly.code).toBe(0);
    const ops = (await t.control.requests()).filter((r) => r.service === 'secretsmanager').map((r) => r.operation);
    expect(ops).toEqual(['DescribeSecret']);
  });

  test('an SSM parameter that does not exist', async () => {
    await seedServices(t.control);
    const td = taskDefWith(IMAGE('v2'));
    td.containerDefinitions[0].secrets.push({ name: 'DATABASE_URL', valueFrom: '/app/prod/database-url' });
    await expectStopped(await deployBundle(td), /SSM parameter \/app\/prod\/database-url does not exist in us-east-1/);
    // once it exists (by name or by ARN), the deploy goes on
    await t.control.seed({
      parameters: [{ name: '/app/prod/database-url', value: 'postgres://db/app', type: 'SecureString' }],
    });
    td.containerDefinitions[0].secrets.push({
      name: 'DATABASE_URL_BY_ARN',
      valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/app/prod/database-url',
    });
    const found = await deployBundle(td, { wait: 'false' });
    expect(found.errors).toEqual([]);
    expect(found.code).toBe(0);
    expect(found.summary).toContain('SSM parameter /app/prod/database-url exists');
    const ssm = (await t.control.requests()).filter((r) => r.service === 'ssm').map((r) => r.operation);
    expect(ssm).toEqual(['DescribeParameters']); // metadata only, one lookup for both references
  });

  test('an awslogs log group that does not exist (awslogs-create-group is not set)', async () => {
    await seedServices(t.control);
    const td = taskDefWith(IMAGE('v2'));
    td.containerDefinitions[0].logConfiguration.options['awslogs-group'] = '/ecs/web-new';
    const res = await deployBundle(td);
    await expectStopped(res, /log group \/ecs\/web-new does not exist in us-east-1: ECS would stop every task/);
    expect(res.errors[0]).toContain('awslogs-create-group');
  });

  test('no execution role where Fargate needs one (awslogs, secrets, a private ECR image)', async () => {
    await seedServices(t.control);
    const td = taskDefWith(IMAGE('v2'));
    delete td.executionRoleArn;
    const res = await deployBundle(td);
    expect(res.code).toBe(1);
    expect(res.errors[0]).toMatch(
      /^Preflight, nothing changed: task definition web \(new revision\): Fargate needs an execution role for pulling the private ECR image of app, the secrets of app, the awslogs log driver of app/,
    );
    expect(res.mutating).toEqual([]);
  });

  test('an execution role that does not exist', async () => {
    await seedServices(t.control);
    const td = taskDefWith(IMAGE('v2'));
    td.executionRoleArn = 'arn:aws:iam::000000000000:role/missing-execution-role';
    const res = await deployBundle(td);
    expect(res.code).toBe(1);
    expect(res.errors[0]).toMatch(
      /role missing-execution-role does not exist\. Fix: create the role, or fix executionRoleArn/,
    );
    expect(res.mutating).toEqual([]);
  });

  test('a cpu/memory pair Fargate does not have, before RegisterTaskDefinition', async () => {
    await seedServices(t.control);
    const res = await deployBundle({ ...taskDefWith(IMAGE('v2')), cpu: '1024', memory: '1024' });
    expect(res.code).toBe(1);
    expect(res.errors[0]).toMatch(
      /task definition web \(new revision\): cpu 1024 with memory 1024 is not a Fargate size .* Fix: with cpu 1024 set memory to 2048–8192 MiB/,
    );
    expect(res.mutating).toEqual([]);
  });
});

const buildah = peerTool('buildah');

describe.skipIf(buildah.skip)(buildah.title('platforms of real images (buildah, arm64 + amd64)'), () => {
  let dir: string;
  beforeAll(async () => {
    buildah.require();
    dir = await mkdtemp(join(tmpdir(), 'preflight-images-'));
    await seedServices(t.control);
    const storage = ['--storage-driver', 'vfs', '--root', join(dir, 'root'), '--runroot', join(dir, 'run')];
    const b = (...args: string[]) => run('/usr/bin/buildah', [...storage, ...args], { timeout: 180_000 });
    await mkdir(join(dir, 'ctx'));
    await writeFile(join(dir, 'ctx', 'app.txt'), 'hello\n');
    await writeFile(join(dir, 'ctx', 'Containerfile'), 'FROM scratch\nCOPY app.txt /app.txt\n');
    for (const arch of ['arm64', 'amd64']) {
      await b('bud', '--isolation', 'chroot', '-q', '--arch', arch, '-t', `localhost/web:${arch}`, join(dir, 'ctx'));
    }
    const token = await new ECRClient({ region: REGION }).send(new GetAuthorizationTokenCommand({}));
    const password = Buffer.from(token.authorizationData![0]!.authorizationToken!, 'base64').toString().slice(4);
    const host = new URL(t.url).host;
    const push = (src: string, tag: string, manifest = false) =>
      b(
        ...(manifest ? ['manifest', 'push', '--all'] : ['push']),
        '--tls-verify=false',
        '--creds',
        `AWS:${password}`,
        src,
        `docker://${host}/web:${tag}`,
      );
    await push('localhost/web:arm64', 'laptop-arm64'); // a laptop build, single-platform arm64
    await push('localhost/web:amd64', 'ci-amd64');
    await b('manifest', 'create', 'localhost/web:multi');
    for (const arch of ['arm64', 'amd64']) await b('manifest', 'add', 'localhost/web:multi', `localhost/web:${arch}`);
    await push('localhost/web:multi', 'multi', true);
    await b('manifest', 'create', 'localhost/web:arm-index');
    await b('manifest', 'add', 'localhost/web:arm-index', 'localhost/web:arm64');
    await push('localhost/web:arm-index', 'arm-index', true);
  }, 240_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('an arm64 laptop build for an X86_64 service: stopped before anything is registered', async () => {
    const res = await deployBundle(withRuntime(IMAGE('laptop-arm64')));
    await expectStopped(
      res,
      /image 000000000000\.dkr\.ecr\.us-east-1\.amazonaws\.com\/web:laptop-arm64 is built for linux\/arm64.*, but the task runs on linux\/amd64 \(runtimePlatform X86_64\/LINUX \(default\)\)/,
    );
    expect(res.errors[0]).toContain('build and push the image for linux/amd64');
    expect(res.errors[0]).toContain('or set runtimePlatform.cpuArchitecture to ARM64');
  });

  test("an amd64 build on an ARM64 task definition (the demo's mismatch)", async () => {
    const res = await deployBundle(withRuntime(IMAGE('ci-amd64'), 'ARM64'));
    await expectStopped(
      res,
      /is built for linux\/amd64, but the task runs on linux\/arm64 \(runtimePlatform ARM64\/LINUX\)/,
    );
  });

  test("a multi-platform index without the task's platform", async () => {
    const res = await deployBundle(withRuntime(IMAGE('arm-index')));
    await expectStopped(
      res,
      /is a multi-platform image for linux\/arm64.*, without linux\/amd64 that the task runs on/,
    );
  });

  test('the index with both platforms passes, on X86_64 and on ARM64, and the summary lists digest and platforms', async () => {
    for (const arch of [undefined, 'ARM64']) {
      const res = await deployBundle(withRuntime(IMAGE('multi'), arch), { wait: 'false' });
      expect(res.errors).toEqual([]);
      expect(res.code).toBe(0);
      expect(res.outputs['task-definition-arn']).toBe(TD_ARN(arch ? 3 : 2));
      expect(res.summary).toMatch(/Preflight: all \d+ checks passed/);
      expect(res.summary).toMatch(
        /\| app \| 000000000000\.dkr\.ecr\.us-east-1\.amazonaws\.com\/web:multi \| sha256:[0-9a-f]{64} \| linux\/(arm64|amd64).*, linux\/(arm64|amd64).* \(index\) \|/,
      );
    }
  });
});

/** A registry outside ECR that serves images anonymously with Docker's token flow (as Docker Hub does). */
function anonymousRegistry(images: Record<string, string>): Server {
  const blobs = new Map<string, string>();
  const manifests = new Map<string, string>();
  const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
  for (const [tag, architecture] of Object.entries(images)) {
    const config = JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    blobs.set(digest(config), config);
    manifests.set(
      tag,
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
        layers: [],
      }),
    );
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const port = (server.address() as AddressInfo).port;
    if (url.pathname === '/token') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token: 'anonymous-pull' }));
    }
    if (req.headers.authorization !== 'Bearer anonymous-pull') {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test-registry",scope="repository:app:pull"`,
      });
      return res.end();
    }
    const m = /^\/v2\/app\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    const body = m?.[1] === 'manifests' ? manifests.get(m[2]!) : m ? blobs.get(m[2]!) : undefined;
    if (!body) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, {
      'content-type':
        m?.[1] === 'manifests' ? 'application/vnd.oci.image.manifest.v1+json' : 'application/octet-stream',
      'docker-content-digest': digest(body),
    });
    res.end(body);
  });
  return server;
}

describe('images outside ECR: their registry v2 API, anonymously', () => {
  let registry: Server;
  let host: string;
  beforeAll(async () => {
    registry = anonymousRegistry({ arm: 'arm64', amd: 'amd64' });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    host = `localhost:${(registry.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => registry.close(() => r())));

  test('an arm64 image on another registry for an X86_64 task is stopped; amd64 passes; unreachable is a warning', async () => {
    await seedServices(t.control);
    const arm = await deployBundle(taskDefWith(`${host}/app:arm`));
    await expectStopped(arm, new RegExp(`image ${host}/app:arm is built for linux/arm64`));

    const amd = await deployBundle(taskDefWith(`${host}/app:amd`), { wait: 'false' });
    expect(amd.errors).toEqual([]);
    expect(amd.code).toBe(0);
    expect(amd.summary).toMatch(new RegExp(`\\| app \\| ${host}/app:amd \\| sha256:[0-9a-f]{64} \\| linux/amd64 \\|`));

    await seedServices(t.control);
    const closed = await deployBundle(taskDefWith('localhost:9/app:v1'), { wait: 'false' });
    expect(closed.code).toBe(0);
    expect(closed.stdout).toMatch(
      /::warning::Preflight web \(new revision\): localhost:9\/app:v1: not checked: localhost:9 is not reachable/,
    );
  });
});

/** Answers every call as AWS does when the role lacks the permission (JSON services 400, IAM query 403). */
function denyingEndpoint(): Server {
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'denied-1' });
        return res.end(
          JSON.stringify({
            __type: 'AccessDeniedException',
            message: `User: arn:aws:sts::000000000000:assumed-role/deploy/gha is not authorized to perform: ${target.split('.').pop()}`,
          }),
        );
      }
      res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': 'denied-2' });
      res.end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: iam:GetRole</Message></Error><RequestId>denied-2</RequestId></ErrorResponse>',
      );
    });
  });
}

describe('a check the role may not run', () => {
  let deny: Server;
  beforeAll(async () => {
    deny = denyingEndpoint();
    await new Promise<void>((r) => deny.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => deny.close(() => r())));

  test('is skipped with a one-line notice, never a failure: the deploy goes on', async () => {
    await seedServices(t.control);
    const url = `http://127.0.0.1:${(deny.address() as AddressInfo).port}`;
    const res = await deployBundle(
      taskDefWith(IMAGE('v2')),
      {},
      {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
        AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
        AWS_ENDPOINT_URL_IAM: url,
        AWS_MAX_ATTEMPTS: '1',
      },
    );
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.outputs.status).toBe('success');
    expect(res.stdout).toContain('Preflight: execution-role not checked: the role may not call iam:GetRole');
    expect(res.stdout).toContain('Preflight: secret not checked: the role may not call secretsmanager:DescribeSecret');
    expect(res.stdout).toContain('Preflight: log-group not checked: the role may not call logs:DescribeLogGroups');
    expect(res.summary).toContain('⏭️');
  });
});
