import { main } from '../../../../actions/sync-spa-cloudfront/src/main';
import { type ActionCases, bad, badCase, valueCase } from '../case';
import { BUCKET, DIST_ID } from '../world';

export const syncSpaCloudfront: ActionCases = {
  action: 'sync-spa-cloudfront',
  main: (env) => main({ env }),
  base: { source: 'site', bucket: BUCKET, 'distribution-id': DIST_ID },
  cases: [
    bad('missing source', 'source', '', { message: /required/ }),
    bad('source that does not exist (build not run)', 'source', 'dist'),
    bad('source: . (the whole checkout)', 'source', '.'),
    bad('source outside the workspace', 'source', '/etc'),
    bad('source is a file', 'source', 'site/index.html'),
    bad('a symlink leaving source (/etc/hostname)', 'source', 'escape', { message: /host\.txt/ }),
    valueCase('follow-symlinks', 'anywhere'),
    bad('missing bucket', 'bucket', ''),
    bad('bucket with upper case and underscore', 'bucket', 'My_Site'),
    bad('bucket given as s3:// URL', 'bucket', `s3://${BUCKET}`),
    bad('bucket that does not exist (read before any write)', 'bucket', 'spa-site-prod'),
    bad('prefix with ..', 'prefix', 'app/../admin'),
    bad('distribution-id in lower case', 'distribution-id', 'e2spatest00001'),
    bad('distribution-id that does not exist (read before any write)', 'distribution-id', 'E3NOTTHERE0001'),
    bad('distribution domain instead of id', 'distribution-id', 'd111111abcdef8.cloudfront.net'),
    bad('origin-path without a leading slash', 'origin-path', 'site'),
    badCase('prefix outside the origin-path', { prefix: 'admin', 'origin-path': '/site' }, 'origin-path'),
    bad('cache-control in the aws s3 sync habit (no glob)', 'cache-control', 'public, max-age=31536000, immutable', {
      message: /GLOB=VALUE/,
    }),
    bad('exclude with an unbalanced bracket', 'exclude', 'assets/[a-z.js'),
    valueCase('delete', 'true'),
    valueCase('keep-releases', '0'),
    valueCase('retention', 'forever'),
    valueCase('max-delete-percent', '150'),
    valueCase('force-delete', '1'),
    valueCase('dry-run', 'maybe'),
    valueCase('concurrency', '0'),
    valueCase('invalidation', 'sometimes'),
    badCase(
      'invalidation-timeout under its minimum',
      { 'invalidation-timeout': '5s', 'wait-for-invalidation': 'true' },
      'invalidation-timeout',
    ),
    bad('release-id with a slash', 'release-id', 'release/1.4'),
    badCase(
      'rollback-to a release that does not exist (read before any write)',
      { source: '', 'rollback-to': 'v0.9.9' },
      'rollback-to',
    ),
    valueCase('checksum-mode', 'crc32'),
    bad('part-size under 5 MiB', 'part-size', '1'),
    valueCase('aws-region', 'EU'),
  ],
};
