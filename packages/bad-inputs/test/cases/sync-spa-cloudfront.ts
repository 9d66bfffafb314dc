import { main } from '../../../../actions/sync-spa-cloudfront/src/main';
import type { ActionCases } from '../case';
import { BUCKET, DIST_ID } from '../world';

export const syncSpaCloudfront: ActionCases = {
  action: 'sync-spa-cloudfront',
  main: (env) => main({ env }),
  base: { source: 'site', bucket: BUCKET, 'distribution-id': DIST_ID },
  cases: [
    { name: 'missing source', inputs: { source: '' }, input: 'source', message: /required/ },
    { name: 'source that does not exist (build not run)', inputs: { source: 'dist' }, input: 'source' },
    { name: 'source: . (the whole checkout)', inputs: { source: '.' }, input: 'source' },
    { name: 'source outside the workspace', inputs: { source: '/etc' }, input: 'source' },
    { name: 'source is a file', inputs: { source: 'site/index.html' }, input: 'source' },
    {
      name: 'a symlink leaving source (/etc/hostname)',
      inputs: { source: 'escape' },
      input: 'source',
      message: /host\.txt/,
    },
    { name: 'follow-symlinks: anywhere', inputs: { 'follow-symlinks': 'anywhere' }, input: 'follow-symlinks' },
    { name: 'missing bucket', inputs: { bucket: '' }, input: 'bucket' },
    { name: 'bucket with upper case and underscore', inputs: { bucket: 'My_Site' }, input: 'bucket' },
    { name: 'bucket given as s3:// URL', inputs: { bucket: `s3://${BUCKET}` }, input: 'bucket' },
    {
      name: 'bucket that does not exist (read before any write)',
      inputs: { bucket: 'spa-site-prod' },
      input: 'bucket',
    },
    { name: 'prefix with ..', inputs: { prefix: 'app/../admin' }, input: 'prefix' },
    {
      name: 'distribution-id in lower case',
      inputs: { 'distribution-id': 'e2spatest00001' },
      input: 'distribution-id',
    },
    {
      name: 'distribution-id that does not exist (read before any write)',
      inputs: { 'distribution-id': 'E3NOTTHERE0001' },
      input: 'distribution-id',
    },
    {
      name: 'distribution domain instead of id',
      inputs: { 'distribution-id': 'd111111abcdef8.cloudfront.net' },
      input: 'distribution-id',
    },
    { name: 'origin-path without a leading slash', inputs: { 'origin-path': 'site' }, input: 'origin-path' },
    {
      name: 'prefix outside the origin-path',
      inputs: { prefix: 'admin', 'origin-path': '/site' },
      input: 'origin-path',
    },
    {
      name: 'cache-control in the aws s3 sync habit (no glob)',
      inputs: { 'cache-control': 'public, max-age=31536000, immutable' },
      input: 'cache-control',
      message: /GLOB=VALUE/,
    },
    { name: 'exclude with an unbalanced bracket', inputs: { exclude: 'assets/[a-z.js' }, input: 'exclude' },
    { name: 'delete: true', inputs: { delete: 'true' }, input: 'delete' },
    { name: 'keep-releases: 0', inputs: { 'keep-releases': '0' }, input: 'keep-releases' },
    { name: 'retention: forever', inputs: { retention: 'forever' }, input: 'retention' },
    { name: 'max-delete-percent: 150', inputs: { 'max-delete-percent': '150' }, input: 'max-delete-percent' },
    { name: 'force-delete: 1', inputs: { 'force-delete': '1' }, input: 'force-delete' },
    { name: 'dry-run: maybe', inputs: { 'dry-run': 'maybe' }, input: 'dry-run' },
    { name: 'concurrency: 0', inputs: { concurrency: '0' }, input: 'concurrency' },
    { name: 'invalidation: sometimes', inputs: { invalidation: 'sometimes' }, input: 'invalidation' },
    {
      name: 'invalidation-timeout under its minimum',
      inputs: { 'invalidation-timeout': '5s', 'wait-for-invalidation': 'true' },
      input: 'invalidation-timeout',
    },
    { name: 'release-id with a slash', inputs: { 'release-id': 'release/1.4' }, input: 'release-id' },
    {
      name: 'rollback-to a release that does not exist (read before any write)',
      inputs: { source: '', 'rollback-to': 'v0.9.9' },
      input: 'rollback-to',
    },
    { name: 'checksum-mode: crc32', inputs: { 'checksum-mode': 'crc32' }, input: 'checksum-mode' },
    { name: 'part-size under 5 MiB', inputs: { 'part-size': '1' }, input: 'part-size' },
    { name: 'aws-region: EU', inputs: { 'aws-region': 'EU' }, input: 'aws-region' },
  ],
};
