// The request log read by GET /_emulator/requests: tests count calls and assert "no mutating call" from it.

export interface RequestLogEntry {
  service: string;
  operation: string;
  /** Request path (decoded, path-style), so an S3 key is visible. */
  path: string;
  method: string;
  mutating: boolean;
  status: number;
  /** ISO time (wall clock) of arrival. */
  time: string;
  /** Simulated time (ISO) at arrival. */
  simulatedTime: string;
  /** Fault injected into this request, if any. `after`: handled first, then its response was lost. */
  fault?: 'throttle' | 'error' | 'reset' | 'after';
  /** `after` faults only: whether the operation succeeded (its effect is kept) although the client never saw it. */
  applied?: boolean;
  /** `after` faults only: the status the operation produced, which was never delivered (`status` is what was sent). */
  handledStatus?: number;
  /** Query string, e.g. `uploads=` or `partNumber=1&uploadId=...`. */
  query?: string;
  /** Request body for JSON/query protocol calls (AWS APIs only, at most 4 KiB), so tests can assert parameters. */
  body?: string;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): RequestLogEntry {
    this.entries.push(entry);
    return entry;
  }

  list(): RequestLogEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}
