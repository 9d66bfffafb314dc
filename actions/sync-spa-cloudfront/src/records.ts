import {
  ConfigurationError,
  DeployFailure,
  describeAwsError,
  errorMessage,
  isAwsError,
  isErrorNamed,
} from '@deploy-actions/kit/runtime';
import { byUtf8 } from './compare';
import { collectGarbage } from './gc';
import { pastAll, type Segment, segmentEnds, segmentHoldsAll, withCutAfter } from './list-segments';
import { listReleases, parseRecord, type ReleaseManifest, type ReleaseRef, releasesDir } from './release-record';
import { decodeJson, getObjectBytes, type ListedObject, listAllObjects } from './s3-objects';
import type { Session } from './session';

// Reading what is in the bucket before anything is written: the one listing of the prefix, and release records.
//
// A record that is listed but cannot be read is not the same as no record (issue #16, defect 7). Planning without
// it used to fall back to a CopyObject for every file (headers unknown), and prune would have lost what the record
// says the site owns and keeps. So a failed read (after the SDK's retries) or a record this version cannot parse
// stops the run before its first write, naming the record.

/** Listings collect garbage every this many pages (so only large ones, 5,000 objects or more, ever do). */
const LIST_GC_PAGES = 5;
/** Keys the records' own segment asks for (records and kept HTML copies; more go on with its token). */
const RECORDS_PAGE_KEYS = 100;

export interface Listing {
  /** `prefix/` ('' for the bucket root). */
  listPrefix: string;
  objects: ListedObject[];
  pages: number;
  /** Release records in the listing, newest first. */
  releases: ReleaseRef[];
}

/**
 * One listing of everything under the prefix: the site's objects and this action's records. `localPaths` (the
 * build's files) say where the listing can be cut into segments listed at once (list-segments.ts).
 */
export async function listSite(
  session: Session,
  localPaths: readonly string[] = [],
  readerAfter?: Promise<unknown>,
  onSegment?: (segment: Segment, objects: readonly ListedObject[]) => void,
): Promise<Listing> {
  const { inputs } = session;
  const prefix = inputs.prefix === '' ? '' : `${inputs.prefix}/`;
  // Cut where the build's own paths say (the same order with the prefix before them: only the cuts get it) and,
  // when cut, just past the release records: their segment asks for a short page, which comes back before the
  // others and names the newest record (readRemote reads it then).
  const records = releasesDir(inputs.prefix);
  const recordsEnd = pastAll(records);
  const cuts = withCutAfter(
    segmentEnds(localPaths).map((path) => `${prefix}${path}`),
    records,
  );
  let before = 0; // build files that may share the records' segment (names sorting before `.deploy-actions`)
  if (cuts.length > 0) for (const path of localPaths) if (byUtf8(`${prefix}${path}`, recordsEnd) < 0) before += 1;
  const recordsPageKeys = Math.min(1000, RECORDS_PAGE_KEYS + before);
  let listed: Awaited<ReturnType<typeof listAllObjects>>;
  try {
    // Each page's XML parse leaves ~1 MB of garbage that V8 would otherwise let pile up (and keep as RSS) on a
    // 50-page listing: collect every few pages once the listing is large.
    listed = await listAllObjects(session.s3, inputs.bucket, prefix, {
      signal: session.signal,
      cuts,
      pageKeys: (segment) => (segment.through === recordsEnd ? recordsPageKeys : undefined),
      ...(readerAfter ? { readerAfter } : {}),
      ...(onSegment ? { onSegment } : {}),
      onPage: (pages) => {
        if (pages % LIST_GC_PAGES === 0) collectGarbage();
      },
    });
  } catch (err) {
    // The first S3 call of every run, before any write: a missing bucket is the user's input, said once.
    if (isErrorNamed(err, 'NoSuchBucket')) {
      throw new ConfigurationError(
        'bucket',
        `there is no S3 bucket ${JSON.stringify(inputs.bucket)} (ListObjectsV2: NoSuchBucket); nothing was written`,
      );
    }
    throw err;
  }
  return { listPrefix: prefix, ...listed, releases: listReleases(inputs.prefix, listed.objects) };
}

/** Read and check one listed release record; any failure stops the run, naming the record. */
export async function readRecord(session: Session, ref: ReleaseRef): Promise<ReleaseManifest> {
  let bytes: Uint8Array;
  try {
    bytes = await getObjectBytes(session.s3, session.inputs.bucket, ref.key, session.signal);
  } catch (err) {
    if (session.signal.aborted) throw err;
    const why = isAwsError(err) ? describeAwsError(err) : errorMessage(err);
    throw new DeployFailure(
      `Release record ${ref.key} is listed but could not be read (${why}). Nothing was written: without it this deploy would not know the headers it set or the files the site owns. Re-run; if it keeps failing, check s3:GetObject on the prefix.`,
      { cause: err },
    );
  }
  let record: ReleaseManifest | string;
  try {
    record = parseRecord(decodeJson<unknown>(bytes));
  } catch (err) {
    record = `not JSON (${errorMessage(err)})`;
  }
  if (typeof record === 'string') {
    throw new DeployFailure(
      `Release record ${ref.key} cannot be used: ${record}. Nothing was written. If it is damaged, delete it and re-run (the next deploy then sets the headers of every file once, with CopyObject); if a newer version of this action wrote it, use that version.`,
    );
  }
  return record;
}

/**
 * What planning a deploy reads from the bucket: the one listing, and the newest release record it names. Until
 * awaited, a rejection of either is held, not reported as unhandled: when the scan fails too, the scan's error is
 * the one the run reports.
 */
export interface RemoteReads {
  listing: Promise<Listing>;
  previous: Promise<ReleaseManifest | undefined>;
}

/**
 * Start reading the remote state; planDeploy awaits it. main.ts starts it once the source is walked, so the listing's
 * round trips overlap the hashing (issue #15: a 2,000-file redeploy spent ~170 ms waiting for its two list pages
 * after hashing).
 */
export function readRemote(
  session: Session,
  localPaths?: readonly string[],
  readerAfter?: Promise<unknown>,
): RemoteReads {
  // The records sort together (under `.deploy-actions/releases/`, a dot name no build file has), so the segment
  // that holds them names the newest once it is in: its read starts then, beside the listing's other pages.
  const dir = releasesDir(session.inputs.prefix);
  let early: { key: string; record: Promise<ReleaseManifest> } | undefined;
  const onSegment = (segment: Segment, objects: readonly ListedObject[]) => {
    const ref = segmentHoldsAll(segment, dir) ? listReleases(session.inputs.prefix, objects)[0] : undefined;
    if (!ref) return;
    early = { key: ref.key, record: readRecord(session, ref) };
    early.record.catch(() => undefined); // awaited below, unless the listing fails (that error is the one to report)
  };
  const listing = listSite(session, localPaths, readerAfter, onSegment);
  const previous = listing.then((listed) => {
    const ref = listed.releases[0];
    if (!ref) return undefined;
    return early?.key === ref.key ? early.record : readRecord(session, ref);
  });
  listing.catch(() => undefined);
  previous.catch(() => undefined);
  return { listing, previous };
}
