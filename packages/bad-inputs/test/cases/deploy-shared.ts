import { type BadInputCase, bad, badCase, valueCase } from '../case';

/** The deploy inputs deploy-ecs-wait and deploy-ecs share (the kit's ecs/deploy inputs): same mistakes, same names. */
export const DEPLOY_CASES: BadInputCase[] = [
  bad('missing cluster', 'cluster', '', { message: /required/ }),
  bad('cluster name with a slash', 'cluster', 'app/prod'),
  bad('cluster ARN of a service', 'cluster', 'arn:aws:ecs:us-east-1:000000000000:service/app/api'),
  bad('cluster that does not exist (read-only check)', 'cluster', 'app-staging'),
  bad('missing services', 'services', '', { message: /required/ }),
  bad('service name with a space', 'services', 'api v2'),
  bad('service listed twice', 'services', 'api,api', { message: /listed twice/ }),
  bad('service that does not exist (read-only check)', 'services', 'api,worker', { message: /worker/ }),
  valueCase('wait', 'yes'),
  valueCase('force-new-deployment', '1'),
  valueCase('auto-rollback', 'on'),
  valueCase('mark-known-good', 'no'),
  valueCase('wait-timeout', 'ten minutes'),
  valueCase('wait-timeout', '0'),
  bad('wait-timeout: 2 days', 'wait-timeout', '2d'),
  bad('negative desired-count', 'desired-count', '-1'),
  valueCase('desired-count', 'two'),
  valueCase('keep-revisions', 'all'),
  valueCase('failure-threshold', '0'),
  bad('health-check-url over ftp', 'health-check-url', 'ftp://app.example/health'),
  bad('health-check-url with user:password', 'health-check-url', 'https://ops:hunter2-pw@app.example/health', {
    message: /health-check-headers/,
    hidden: 'hunter2-pw',
  }),
  badCase(
    'health-check-timeout: 0 (deploys, then rolls back, in #14)',
    { 'health-check-url': 'https://app.example/health', 'health-check-timeout': '0' },
    'health-check-timeout',
  ),
  badCase(
    'health-check-status out of range',
    { 'health-check-url': 'https://app.example/health', 'health-check-status': '42' },
    'health-check-status',
  ),
  bad('health-check-body without a URL', 'health-check-body', 'ok'),
  badCase(
    'health-check-headers without a colon',
    { 'health-check-url': 'https://app.example/health', 'health-check-headers': 'Authorization Bearer x' },
    'health-check-headers',
  ),
  valueCase('aws-region', 'us-east'),
];
