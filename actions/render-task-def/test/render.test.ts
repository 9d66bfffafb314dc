import {
  containerImages,
  READ_ONLY_TASK_DEF_FIELDS,
  type RenderTaskDefResult as RenderResult,
  type TaskDefJson,
  taskDefsEqual,
  withImages,
} from '@deploy-actions/kit/ecs/taskdef';
import { describe, expect, test } from 'vitest';
import { container, env, fixture, renderFrom, secrets } from './helpers';

const WEB = 'fargate-web-sidecars.json';
const EFS = 'fargate-efs.json';
const EC2 = 'ec2-bridge.json';
const MESH = 'appmesh-ec2-awsvpc.json';
const PLAIN = 'migrate-plain.json';
const ECR_WEB = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web';
const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

type Check = (td: TaskDefJson, result: RenderResult) => void;

const cases: Array<[string, Record<string, string>, Check]> = [
  // --- templates as they are --------------------------------------------------------------------------------
  [
    'describe output (Fargate, sidecars): read-only fields dropped, nothing valid lost',
    { template: WEB },
    (td) => {
      for (const f of READ_ONLY_TASK_DEF_FIELDS) expect(td).not.toHaveProperty(f);
      expect(td.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
      expect(td.ephemeralStorage).toEqual({ sizeInGiB: 30 });
      expect(td.enableFaultInjection).toBe(false);
      expect(td.tags).toEqual([
        { key: 'app', value: 'shop' },
        { key: 'env', value: 'prod' },
      ]);
      expect((td.containerDefinitions as unknown[]).length).toBe(3);
    },
  ],
  [
    'describe output: empty arrays of describe (mountPoints, systemControls, volumes) removed',
    { template: WEB },
    (td) => {
      expect(td).not.toHaveProperty('volumes');
      expect(td).not.toHaveProperty('placementConstraints');
      expect(container(td, 'log_router')).not.toHaveProperty('environment');
      expect(container(td, 'web')).not.toHaveProperty('systemControls');
      expect(container(td, 'web')).not.toHaveProperty('mountPoints');
    },
  ],
  [
    'rendering without overrides equals the registered revision',
    { template: WEB },
    (td) => expect(taskDefsEqual(td, fixture(WEB))).toBe(true),
  ],
  [
    'EFS volume with access point and IAM kept intact',
    { template: EFS },
    (td) => {
      expect(td.volumes).toEqual([
        {
          name: 'wp-content',
          efsVolumeConfiguration: {
            fileSystemId: 'fs-0a1b2c3d4e5f67890',
            rootDirectory: '/',
            transitEncryption: 'ENABLED',
            authorizationConfig: { accessPointId: 'fsap-0123456789abcdef0', iam: 'ENABLED' },
          },
        },
        { name: 'uploads-cache' },
      ]);
      expect(container(td, 'wordpress').mountPoints).toHaveLength(2);
    },
  ],
  ['empty describe tags wrapper adds no tags', { template: EFS }, (td) => expect(td).not.toHaveProperty('tags')],
  [
    'EC2 bridge: placement constraints, docker volume, hostPort 0 and links kept',
    { template: EC2 },
    (td) => {
      expect(td.placementConstraints).toEqual([
        { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ m6i.*' },
      ]);
      expect(td.networkMode).toBe('bridge');
      expect(container(td, 'Web').portMappings).toEqual([{ containerPort: 80, hostPort: 0, protocol: 'tcp' }]);
      expect(container(td, 'Web').links).toEqual(['api']);
      expect(td).not.toHaveProperty('cpu');
    },
  ],
  [
    'App Mesh: proxyConfiguration, pidMode, ipcMode and enableFaultInjection kept',
    { template: MESH },
    (td) => {
      expect(td.pidMode).toBe('task');
      expect(td.ipcMode).toBe('task');
      expect(td.enableFaultInjection).toBe(true);
      expect((td.proxyConfiguration as { containerName: string }).containerName).toBe('envoy');
    },
  ],
  [
    'plain RegisterTaskDefinition JSON passes through unchanged',
    { template: PLAIN },
    (td) => expect(td).toEqual(fixture(PLAIN)),
  ],
  // --- images ------------------------------------------------------------------------------------------------
  [
    'one image replaced by tag, sidecars untouched',
    { template: WEB, containers: `web=${ECR_WEB}:2026.11.21-9c0ffee` },
    (td) => {
      expect(container(td, 'web').image).toBe(`${ECR_WEB}:2026.11.21-9c0ffee`);
      expect(container(td, 'datadog-agent').image).toBe('public.ecr.aws/datadog/agent:7.58.2');
    },
  ],
  [
    'several containers at once, one by digest',
    {
      template: WEB,
      containers: `web=${ECR_WEB}@${DIGEST}\n\n# sidecar bump\ndatadog-agent=public.ecr.aws/datadog/agent:7.59.0`,
    },
    (td) => {
      expect(container(td, 'web').image).toBe(`${ECR_WEB}@${DIGEST}`);
      expect(container(td, 'datadog-agent').image).toBe('public.ecr.aws/datadog/agent:7.59.0');
    },
  ],
  [
    'Docker Hub short name and registry with port',
    { template: EC2, containers: 'Web=nginx:1.27.3-alpine\napi=127.0.0.1:4566/legacy/api:v3.15.0' },
    (td) => {
      expect(container(td, 'Web').image).toBe('nginx:1.27.3-alpine');
      expect(container(td, 'api').image).toBe('127.0.0.1:4566/legacy/api:v3.15.0');
    },
  ],
  [
    'image replaced on a template already pinned by digest',
    { template: MESH, containers: 'payments=456789012345.dkr.ecr.ap-southeast-2.amazonaws.com/payments:1.4.0' },
    (td) =>
      expect(container(td, 'payments').image).toBe('456789012345.dkr.ecr.ap-southeast-2.amazonaws.com/payments:1.4.0'),
  ],
  [
    'withImages applies pinned images by container name',
    { template: WEB },
    (td) => {
      const pinned = withImages(td, new Map([['web', `${ECR_WEB}@${DIGEST}`]]));
      expect(containerImages(pinned).map((c) => c.image)).toEqual([
        `${ECR_WEB}@${DIGEST}`,
        'public.ecr.aws/datadog/agent:7.58.2',
        'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4',
      ]);
      expect(container(td, 'web').image).not.toContain('@');
    },
  ],
  // --- environment -------------------------------------------------------------------------------------------
  [
    'environment merge: lines before any header go to the only container',
    { template: EFS, environment: 'WORDPRESS_DB_NAME=wp_prod\nWP_DEBUG=false' },
    (td) =>
      expect(env(td, 'wordpress')).toEqual({
        WORDPRESS_DB_HOST: 'cms-db.cluster-c1x2y3z4.us-east-1.rds.amazonaws.com',
        WORDPRESS_DB_NAME: 'wp_prod',
        WP_DEBUG: 'false',
      }),
  ],
  [
    'environment merge per [container] section',
    { template: WEB, environment: '[web]\nNODE_ENV=staging\nFEATURE_X=on\n[datadog-agent]\nDD_ENV=staging' },
    (td) => {
      expect(env(td, 'web').NODE_ENV).toBe('staging');
      expect(env(td, 'web').FEATURE_X).toBe('on');
      expect(env(td, 'web').PORT).toBe('8080');
      expect(env(td, 'datadog-agent').DD_ENV).toBe('staging');
      expect(env(td, 'datadog-agent').DD_SITE).toBe('datadoghq.eu');
    },
  ],
  [
    'environment [*] applies to every container',
    { template: WEB, environment: '[*]\nDEPLOY_VERSION=1.2.3' },
    (td) => {
      for (const name of ['web', 'datadog-agent', 'log_router']) expect(env(td, name).DEPLOY_VERSION).toBe('1.2.3');
    },
  ],
  [
    'environment [*] then a container section: the container line wins',
    { template: WEB, environment: '[*]\nLOG_LEVEL=info\n[web]\nLOG_LEVEL=debug' },
    (td) => {
      expect(env(td, 'web').LOG_LEVEL).toBe('debug');
      expect(env(td, 'datadog-agent').LOG_LEVEL).toBe('info');
    },
  ],
  [
    'environment replace: exactly the given variables for the named container only',
    { template: WEB, 'environment-mode': 'replace', environment: '[web]\nPORT=9090' },
    (td) => {
      expect(env(td, 'web')).toEqual({ PORT: '9090' });
      expect(env(td, 'datadog-agent').DD_SITE).toBe('datadoghq.eu');
    },
  ],
  [
    'environment replace with an empty section clears the variables',
    { template: EFS, 'environment-mode': 'replace', environment: '[wordpress]' },
    (td) => expect(container(td, 'wordpress')).not.toHaveProperty('environment'),
  ],
  [
    'environment values keep "=" and empty values',
    { template: EFS, environment: 'WORDPRESS_CONFIG_EXTRA=define("WP_HOME","https://x");a=b\nEMPTY=' },
    (td) => {
      expect(env(td, 'wordpress').WORDPRESS_CONFIG_EXTRA).toBe('define("WP_HOME","https://x");a=b');
      expect(env(td, 'wordpress').EMPTY).toBe('');
    },
  ],
  // --- secrets -----------------------------------------------------------------------------------------------
  [
    'secrets merge: JSON-key form added, existing kept',
    {
      template: WEB,
      secrets:
        '[web]\nREDIS_PASSWORD=arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/redis-Ab12Cd:password::',
    },
    (td) =>
      expect(secrets(td, 'web')).toEqual({
        DATABASE_PASSWORD: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-Xk9Lm2:password::',
        DATABASE_USER: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-Xk9Lm2:username::',
        STRIPE_SECRET_KEY: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/stripe-secret-key',
        REDIS_PASSWORD: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/redis-Ab12Cd:password::',
      }),
  ],
  [
    'secrets override an existing secret by name (version stage form)',
    {
      template: EFS,
      secrets:
        'WORDPRESS_DB_PASSWORD=arn:aws:secretsmanager:us-east-1:210987654321:secret:cms/db-credentials-q1W2e3:password:AWSPREVIOUS:',
    },
    (td) =>
      expect(secrets(td, 'wordpress').WORDPRESS_DB_PASSWORD).toBe(
        'arn:aws:secretsmanager:us-east-1:210987654321:secret:cms/db-credentials-q1W2e3:password:AWSPREVIOUS:',
      ),
  ],
  [
    'secrets replace with SSM parameter names',
    {
      template: EC2,
      'secrets-mode': 'replace',
      secrets: '[api]\nDATABASE_URL=/legacy/prod/database-url-v2\nREDIS_URL=legacy_redis_url',
    },
    (td) =>
      expect(secrets(td, 'api')).toEqual({
        DATABASE_URL: '/legacy/prod/database-url-v2',
        REDIS_URL: 'legacy_redis_url',
      }),
  ],
  [
    'a name in both environment and secrets is warned about',
    { template: EFS, environment: 'WORDPRESS_DB_USER=admin' },
    (_td, result) =>
      expect(result.warnings.join('\n')).toContain('WORDPRESS_DB_USER set both in environment and in secrets'),
  ],
  // --- log configuration, labels, command --------------------------------------------------------------------
  [
    'log-configuration on a firelens container switches to awslogs with the region filled in',
    {
      template: WEB,
      'aws-region': 'eu-west-1',
      'log-configuration': '[web]\nlogDriver=awslogs\nawslogs-group=/ecs/shop-web\nawslogs-stream-prefix=web',
    },
    (td) =>
      expect(container(td, 'web').logConfiguration).toEqual({
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/shop-web', 'awslogs-stream-prefix': 'web', 'awslogs-region': 'eu-west-1' },
      }),
  ],
  [
    'log-configuration with the same driver merges options',
    { template: EFS, 'log-configuration': 'awslogs-stream-prefix=wp\nmode=non-blocking\nmax-buffer-size=25m' },
    (td) =>
      expect(container(td, 'wordpress').logConfiguration.options).toEqual({
        'awslogs-group': '/ecs/cms-wordpress',
        'awslogs-create-group': 'true',
        'awslogs-region': 'us-east-1',
        'awslogs-stream-prefix': 'wp',
        mode: 'non-blocking',
        'max-buffer-size': '25m',
      }),
  ],
  [
    'log-configuration on a container without one defaults to awslogs',
    {
      template: WEB,
      'aws-region': 'eu-west-1',
      'log-configuration': '[datadog-agent]\nawslogs-group=/ecs/shop-web/datadog\nawslogs-stream-prefix=dd',
    },
    (td) => expect(container(td, 'datadog-agent').logConfiguration.logDriver).toBe('awslogs'),
  ],
  [
    'docker labels merged per container',
    { template: WEB, 'docker-labels': '[web]\ncom.datadoghq.tags.version=2026.11.21\ncom.datadoghq.tags.env=prod-eu' },
    (td) =>
      expect(container(td, 'web').dockerLabels).toEqual({
        'com.datadoghq.tags.service': 'shop-web',
        'com.datadoghq.tags.env': 'prod-eu',
        'com.datadoghq.tags.version': '2026.11.21',
      }),
  ],
  [
    'command as a JSON array',
    { template: PLAIN, command: 'migrate=["npm", "run", "db:migrate", "--", "--to", "20261121"]' },
    (td) => expect(container(td, 'migrate').command).toEqual(['npm', 'run', 'db:migrate', '--', '--to', '20261121']),
  ],
  [
    'command as a shell-like string with quotes (split into words, no shell)',
    { template: EC2, command: `api=bundle exec rails runner 'puts "hello world"' --trace` },
    (td) =>
      expect(container(td, 'api').command).toEqual([
        'bundle',
        'exec',
        'rails',
        'runner',
        'puts "hello world"',
        '--trace',
      ]),
  ],
  [
    'command keeps a quoted $VAR literal (ECS does not expand it; unquoted it is an error)',
    { template: PLAIN, command: "migrate=node migrate.js --db '$DATABASE_URL'" },
    (td) => expect(container(td, 'migrate').command).toEqual(['node', 'migrate.js', '--db', '$DATABASE_URL']),
  ],
  // --- cpu / memory / roles / family -------------------------------------------------------------------------
  [
    'task-level cpu and memory, in units or vCPU/GB',
    { template: WEB, cpu: '2 vCPU', memory: '4096' },
    (td) => {
      expect(td.cpu).toBe('2 vCPU');
      expect(td.memory).toBe('4096');
    },
  ],
  [
    'container-level cpu and memory next to a task-level value',
    { template: WEB, cpu: '2048\nweb=1792', memory: 'web=3072\ndatadog-agent=512' },
    (td) => {
      expect(td.cpu).toBe('2048');
      expect(container(td, 'web').cpu).toBe(1792);
      expect(container(td, 'web').memory).toBe(3072);
      expect(container(td, 'datadog-agent').memory).toBe(512);
    },
  ],
  [
    'task and execution roles replaced',
    {
      template: EC2,
      'task-role-arn': 'arn:aws:iam::345678901234:role/legacy-api-task',
      'execution-role-arn': 'arn:aws:iam::345678901234:role/legacy-exec',
    },
    (td) => {
      expect(td.taskRoleArn).toBe('arn:aws:iam::345678901234:role/legacy-api-task');
      expect(td.executionRoleArn).toBe('arn:aws:iam::345678901234:role/legacy-exec');
    },
  ],
  [
    'family override (render a staging copy of a prod template)',
    { template: WEB, family: 'shop-web-staging' },
    (td, result) => {
      expect(td.family).toBe('shop-web-staging');
      expect(result.family).toBe('shop-web-staging');
    },
  ],
  [
    'everything at once on the multi-container template',
    {
      template: WEB,
      containers: `web=${ECR_WEB}:v2`,
      environment: '[web]\nNODE_ENV=production',
      secrets: '[web]\nJWT_SECRET=arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/jwt',
      'docker-labels': '[*]\nteam=shop',
      command: 'web=node dist/server.js',
      cpu: 'web=512',
      'task-role-arn': 'shop-web-task-v2',
    },
    (td) => {
      expect(container(td, 'web').image).toBe(`${ECR_WEB}:v2`);
      expect(secrets(td, 'web').JWT_SECRET).toContain('parameter/shop/prod/jwt');
      expect(container(td, 'log_router').dockerLabels).toEqual({ team: 'shop' });
      expect(container(td, 'web').command).toEqual(['node', 'dist/server.js']);
      expect(container(td, 'web').cpu).toBe(512);
      expect(td.taskRoleArn).toBe('shop-web-task-v2');
      expect(taskDefsEqual(td, fixture(WEB))).toBe(false);
    },
  ],
  [
    'the template object is not modified by rendering',
    { template: WEB, environment: '[*]\nX=1' },
    (td) => {
      expect(env(td, 'web').X).toBe('1');
      expect(JSON.stringify(fixture(WEB))).not.toContain('"X"');
    },
  ],
];

describe('renderTaskDefinition', () => {
  test('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  test.each(cases)('%s', (_name, raw, check) => {
    const result = renderFrom(raw);
    check(result.taskDefinition, result);
  });
});
