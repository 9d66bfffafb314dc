import type { BadInputCase } from '../case';

/** The deploy inputs deploy-ecs-wait and deploy-ecs share (the kit's ecs/deploy inputs): same mistakes, same names. */
export const DEPLOY_CASES: BadInputCase[] = [
  { name: 'missing cluster', inputs: { cluster: '' }, input: 'cluster', message: /required/ },
  { name: 'cluster name with a slash', inputs: { cluster: 'app/prod' }, input: 'cluster' },
  {
    name: 'cluster ARN of a service',
    inputs: { cluster: 'arn:aws:ecs:us-east-1:000000000000:service/app/api' },
    input: 'cluster',
  },
  { name: 'cluster that does not exist (read-only check)', inputs: { cluster: 'app-staging' }, input: 'cluster' },
  { name: 'missing services', inputs: { services: '' }, input: 'services', message: /required/ },
  { name: 'service name with a space', inputs: { services: 'api v2' }, input: 'services' },
  { name: 'service listed twice', inputs: { services: 'api,api' }, input: 'services', message: /listed twice/ },
  {
    name: 'service that does not exist (read-only check)',
    inputs: { services: 'api,worker' },
    input: 'services',
    message: /worker/,
  },
  { name: 'wait: yes', inputs: { wait: 'yes' }, input: 'wait' },
  { name: 'force-new-deployment: 1', inputs: { 'force-new-deployment': '1' }, input: 'force-new-deployment' },
  { name: 'auto-rollback: on', inputs: { 'auto-rollback': 'on' }, input: 'auto-rollback' },
  { name: 'mark-known-good: no', inputs: { 'mark-known-good': 'no' }, input: 'mark-known-good' },
  { name: 'wait-timeout: ten minutes', inputs: { 'wait-timeout': 'ten minutes' }, input: 'wait-timeout' },
  { name: 'wait-timeout: 0', inputs: { 'wait-timeout': '0' }, input: 'wait-timeout' },
  { name: 'wait-timeout: 2 days', inputs: { 'wait-timeout': '2d' }, input: 'wait-timeout' },
  { name: 'negative desired-count', inputs: { 'desired-count': '-1' }, input: 'desired-count' },
  { name: 'desired-count: two', inputs: { 'desired-count': 'two' }, input: 'desired-count' },
  { name: 'keep-revisions: all', inputs: { 'keep-revisions': 'all' }, input: 'keep-revisions' },
  { name: 'failure-threshold: 0', inputs: { 'failure-threshold': '0' }, input: 'failure-threshold' },
  {
    name: 'health-check-url over ftp',
    inputs: { 'health-check-url': 'ftp://app.example/health' },
    input: 'health-check-url',
  },
  {
    name: 'health-check-url with user:password',
    inputs: { 'health-check-url': 'https://ops:hunter2-pw@app.example/health' },
    input: 'health-check-url',
    message: /health-check-headers/,
    hidden: 'hunter2-pw',
  },
  {
    name: 'health-check-timeout: 0 (deploys, then rolls back, in #14)',
    inputs: { 'health-check-url': 'https://app.example/health', 'health-check-timeout': '0' },
    input: 'health-check-timeout',
  },
  {
    name: 'health-check-status out of range',
    inputs: { 'health-check-url': 'https://app.example/health', 'health-check-status': '42' },
    input: 'health-check-status',
  },
  { name: 'health-check-body without a URL', inputs: { 'health-check-body': 'ok' }, input: 'health-check-body' },
  {
    name: 'health-check-headers without a colon',
    inputs: { 'health-check-url': 'https://app.example/health', 'health-check-headers': 'Authorization Bearer x' },
    input: 'health-check-headers',
  },
  { name: 'aws-region: us-east', inputs: { 'aws-region': 'us-east' }, input: 'aws-region' },
];
