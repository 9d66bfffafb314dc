// Redeploy floor for sync-spa-cloudfront (bench/spa-sync): what issue #15 names as the floor of a redeploy of 20
// changed files out of 2,000 — node start-up, the S3 listing's two pages (one after the other: the second needs the
// first's token), 21 PUTs at once (the 20 files and a small JSON object in place of the release record) and one
// invalidation — made with the SDK alone: no walk, no hashing, no plan, no reading of the previous record. The bench
// runs it beside each redeploy, so its time says what the machine allowed in that round.
//   FLOOR_BUCKET, FLOOR_SOURCE  the bucket, and the local directory the files are read from
//   FLOOR_LIST   prefix to list (a deployed 2,000-file site)
//   FLOOR_PUT    prefix to write the files under (the floor's own, nothing of the site is touched)
//   FLOOR_FILES  the files to PUT, newline-separated, relative to FLOOR_SOURCE
//   FLOOR_DISTRIBUTION  the distribution to invalidate
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

// An uncaught error would print the minified bundle's source line (~150 KB) and, in the bench's pipe, not always the
// error after it: say what failed in one line instead.
process.on('uncaughtException', (err) => {
  console.error(`spa-redeploy floor: ${err.name}: ${err.message}`);
  process.exit(1);
});

const env = process.env;
const Bucket = env.FLOOR_BUCKET;
const s3 = new S3Client({ forcePathStyle: true });
let token;
let listed = 0;
do {
  const page = await s3.send(
    new ListObjectsV2Command({ Bucket, Prefix: `${env.FLOOR_LIST}/`, ContinuationToken: token }),
  );
  listed += page.KeyCount ?? 0;
  token = page.NextContinuationToken;
} while (token);
const files = env.FLOOR_FILES.split('\n').filter(Boolean);
const put = (Key, Body) => s3.send(new PutObjectCommand({ Bucket, Key, Body }));
await Promise.all([
  ...files.map((f) => put(`${env.FLOOR_PUT}/${f}`, readFileSync(join(env.FLOOR_SOURCE, f)))),
  put(`${env.FLOOR_PUT}/record.json`, JSON.stringify({ files })),
]);
await new CloudFrontClient({}).send(
  new CreateInvalidationCommand({
    DistributionId: env.FLOOR_DISTRIBUTION,
    InvalidationBatch: {
      CallerReference: `floor-${Date.now()}`,
      Paths: { Quantity: 1, Items: [`/${env.FLOOR_PUT}/*`] },
    },
  }),
);
console.log(`floor: listed ${listed}, put ${files.length + 1}, invalidated 1`);
