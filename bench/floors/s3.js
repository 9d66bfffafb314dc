// Cold-start floor for sync-spa-cloudfront: create the SDK client the action creates and make one call (bench/cold-start).
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

await new S3Client({ forcePathStyle: true })
  .send(new GetObjectCommand({ Bucket: 'floor', Key: 'floor' }))
  .catch(() => {});
