// Secret masking as the runner does it (actions/runner SecretMasker): every registered value is replaced by `***`
// in everything the run prints, together with the encodings the runner also registers (JSON string escape, URL
// encoding, base64), and each line of a multi-line secret.
export class Masker {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    if (!value) return;
    const trimmed = value.trim();
    if (trimmed.length < 1) return;
    const variants = [value, trimmed, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
    if (value.length >= 3) variants.push(Buffer.from(value).toString('base64'));
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 3) variants.push(line);
    for (const v of variants) if (v) this.values.add(v);
  }

  /** A job's own masker: the run's secrets, plus what the job registers. Masks are per job on GitHub (each job is a
   *  fresh runner; a value masked in one job is not masked in the next: actions/runner#1061). */
  fork(): Masker {
    const child = new Masker();
    for (const v of this.values) child.values.add(v);
    return child;
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    let out = text;
    // Longest first, so a value that contains another is masked whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
    return out;
  }
}
