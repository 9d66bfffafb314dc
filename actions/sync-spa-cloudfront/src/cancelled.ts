import { Summary } from '@deploy-actions/kit/runtime';

// What a cancel (SIGINT/SIGTERM: the job was cancelled or timed out) leaves behind, by the stage it came in. Pure.
// The pipeline's order makes each answer true: publish writes assets before HTML, so a cancel before the record
// leaves the live entry points as they were unless HTML had started; the record is what the next deploy trusts.

export type Stage = 'scan' | 'plan' | 'publish' | 'record' | 'prune' | 'invalidate';

export interface CancelledAt {
  stage: Stage;
  /** Calls made by operation (session.requests). */
  requests: Record<string, number>;
  reason: string;
}

/** One line: where the cancel came and what stands now. */
export function cancelledLine(c: CancelledAt): string {
  const puts = c.requests.PutObject ?? 0;
  switch (c.stage) {
    case 'scan':
    case 'plan':
      return `Cancelled (${c.reason}) while ${c.stage === 'scan' ? 'reading the source' : 'planning'}: nothing was written.`;
    case 'publish':
      return (
        `Cancelled (${c.reason}) while publishing, after ${puts} write(s): assets go first and HTML last, so the ` +
        'site serves the previous release unless its HTML had started; no release record was written, so the next ' +
        'deploy checks every object again.'
      );
    case 'record':
      return `Cancelled (${c.reason}) while writing the release record: every file is published; re-run to record it (nothing is uploaded twice).`;
    case 'prune':
      return `Cancelled (${c.reason}) while pruning old releases: the new release is published and recorded; what was not pruned is pruned by the next deploy.`;
    case 'invalidate':
      return (c.requests.CreateInvalidation ?? 0) > 0
        ? `Cancelled (${c.reason}) while waiting for the invalidation: the release is published and recorded; CloudFront completes the invalidation on its own.`
        : `Cancelled (${c.reason}) before the invalidation was requested: the release is published and recorded, but edge caches may serve the old files until they expire; re-run to invalidate.`;
  }
}

export async function writeCancelledSummary(c: CancelledAt): Promise<void> {
  const s = new Summary();
  s.heading('⏹️ sync-spa-cloudfront cancelled', 2);
  s.raw(`${cancelledLine(c)}\n\n`);
  const calls = Object.entries(c.requests).sort(([a], [b]) => a.localeCompare(b));
  if (calls.length) s.raw(`Requests before the cancel: ${calls.map(([op, n]) => `${op} ${n}`).join(', ')}\n`);
  await s.write();
}
