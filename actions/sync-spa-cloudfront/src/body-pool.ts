// Buffers for the bodies of small uploads, each used again once an upload it carried has been accepted (#15).
//
// A small upload's body is read from its file into memory (s3-writes.ts says why not a stream). A fresh buffer per
// upload costs more than the read: memory the process has not touched yet faults in page by page, ~3 ms per MB on
// the 2-vCPU machine we measure on (34 MB for the bench's 2,000 files: ~100 ms of a first deploy on one core,
// `--cpu-prof`'s `read` frame). A buffer given back is touched memory: the next file is read into it. Only a body S3
// accepted comes back: S3 answers 200 once it has read the whole body, so nothing is still being written from it; a
// failed upload's buffer is left to the garbage collector.

export class BodyPool {
  private readonly free: Buffer[] = [];

  /** Buffers of `size` bytes; at most `keep` are held while unused. */
  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  /** A buffer of `size` bytes, its contents undefined. */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Give back a buffer nothing reads from any more. */
  give(buffer: Buffer): void {
    if (buffer.length === this.size && this.free.length < this.keep) this.free.push(buffer);
  }

  /** Buffers held now (tests). */
  get held(): number {
    return this.free.length;
  }
}
