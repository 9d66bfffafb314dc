import { ConfigurationError, core, isErrorNamed } from '@deploy-actions/kit/runtime';
import { cloudFrontSdk } from './cloudfront-sdk';
import type { Session } from './session';

// Named resources are read before the first write (issue #14, finding 6): a well-formed but nonexistent
// `distribution-id` used to fail at CreateInvalidation, after the new files were live. The bucket needs no extra
// request: the listing is the first S3 call and fails on a missing bucket (records.ts, `listSite`).

export interface OriginInfo {
  domainName: string;
  originPath: string;
}

/**
 * What the distribution's origins say about this deploy (pure): undefined when an S3 origin serves `bucket` with
 * the given `origin-path`, else a warning. Not an error: a distribution may reach the bucket through another origin
 * (a proxy, a custom domain), so only the user can tell.
 */
export function originWarning(
  distributionId: string,
  origins: readonly OriginInfo[],
  bucket: string,
  originPath: string,
): string | undefined {
  // REST (`bucket.s3.amazonaws.com`, `bucket.s3.<region>.amazonaws.com`) and website (`bucket.s3-website-…`) endpoints
  const forBucket = origins.filter((o) => o.domainName.toLowerCase().startsWith(`${bucket}.s3`));
  if (forBucket.length === 0) {
    return `distribution ${distributionId} has no S3 origin for bucket ${bucket} (origins: ${origins.map((o) => o.domainName).join(', ') || 'none'}); its cache may not serve what this deploy publishes`;
  }
  if (forBucket.some((o) => (o.originPath === '/' ? '' : o.originPath) === originPath)) return undefined;
  return `distribution ${distributionId} serves bucket ${bucket} with OriginPath ${forBucket.map((o) => JSON.stringify(o.originPath)).join(', ')}, but origin-path is ${JSON.stringify(originPath)}: the invalidation paths would not match the URLs`;
}

/** What GetDistribution said: the origins, or that the role may not read the distribution. */
export type DistributionRead = OriginInfo[] | 'access denied';

/**
 * GetDistribution for `distribution-id` (undefined when this run has no CloudFront client): a missing distribution
 * is a ConfigurationError. planDeploy starts it as soon as it knows a write will come, so the round trip overlaps
 * the rest of the plan; checkDistribution reports what it found.
 */
export async function readDistribution(session: Session): Promise<DistributionRead | undefined> {
  const { inputs } = session;
  const id = inputs.distributionId;
  if (!session.cloudfront || id === undefined) return undefined;
  const { GetDistributionCommand } = await cloudFrontSdk();
  try {
    const out = await session.cloudfront.send(new GetDistributionCommand({ Id: id }), { abortSignal: session.signal });
    return (out.Distribution?.DistributionConfig?.Origins?.Items ?? []).map((o) => ({
      domainName: o.DomainName ?? '',
      originPath: o.OriginPath ?? '',
    }));
  } catch (err) {
    if (isErrorNamed(err, 'NoSuchDistribution')) {
      throw new ConfigurationError(
        'distribution-id',
        `there is no CloudFront distribution ${id} in this account (GetDistribution: NoSuchDistribution); nothing was written`,
      );
    }
    if (isErrorNamed(err, 'AccessDenied', 'AccessDeniedException')) return 'access denied';
    throw err;
  }
}

/**
 * The distribution check before any write (`read`: a readDistribution already started): a missing distribution
 * fails the run; a role without `cloudfront:GetDistribution` gets a notice, not a failure (policies written for
 * earlier versions); origins that do not serve this bucket and origin-path get a warning.
 */
export async function checkDistribution(
  session: Session,
  read: Promise<DistributionRead | undefined> = readDistribution(session),
): Promise<void> {
  const { inputs } = session;
  const id = inputs.distributionId;
  const origins = await read;
  if (origins === undefined || id === undefined) return;
  if (origins === 'access denied') {
    core.notice(
      `distribution-id ${id} was not checked before writing: the role may not call cloudfront:GetDistribution (add it, see the IAM policy in the README).`,
    );
    return;
  }
  const warning = originWarning(id, origins, inputs.bucket, inputs.originPath);
  if (warning) core.warning(warning);
}
