// The CloudFront SDK, loaded on first use: the bundle keeps it in a lazy chunk, so a run's first request (the S3
// listing) goes out before the CloudFront client is compiled, and a run without a distribution never loads it
// (issue #15, cold start). The first use is openCloudFront() in main.ts, while the listing is in flight.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';

export type CloudFrontSdk = typeof import('./cloudfront-commands');
export type { CloudFrontClient };

let loading: Promise<CloudFrontSdk> | undefined;

export function cloudFrontSdk(): Promise<CloudFrontSdk> {
  loading ??= import('./cloudfront-commands');
  return loading;
}
