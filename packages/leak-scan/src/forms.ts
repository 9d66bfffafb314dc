// The shapes a secret takes when it leaks (pure). A value written to a log, a summary, a docker config.json or a
// JSON file shows up verbatim, JSON-escaped, URL-encoded, or inside a base64 blob (docker's `auth` is
// base64("AWS:<password>"), a JWT or a Basic header wraps values the same way). Base64 of a value embedded in a
// longer string depends on where it starts modulo 3, so each of the three alignments gets its own fragment: only
// the characters that the secret's bytes alone decide (the first and last few depend on the neighbours).

export interface Form {
  /** plain | json | url | base64+0 | base64+1 | base64+2 | base64url+0 … */
  name: string;
  text: string;
}

/** Shortest base64 fragment worth searching for: shorter ones match random blobs by chance. */
export const MIN_FRAGMENT = 8;

/** The characters of base64(prefix of k bytes + value) decided by the value's bytes alone. */
export function base64Fragment(value: Buffer, offset: 0 | 1 | 2): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), value]).toString('base64');
  // Leading characters mixing the prefix's bits: none at offset 0, 2 at offset 1 (bytes p s0 s1 → c0 from p, c1
  // from p and s0), 3 at offset 2 (p p s0 → c2 from p and s0).
  const lead = [0, 2, 3][offset] as number;
  const unpadded = encoded.replace(/=+$/, '');
  // A padded last group's final character mixes in zero bits that the real neighbour would replace.
  const trail = unpadded.length === encoded.length ? 0 : 1;
  return unpadded.slice(lead, unpadded.length - trail);
}

/** Every form of `secret` worth searching for, without duplicates (plain first). */
export function leakForms(secret: string): Form[] {
  const forms: Form[] = [{ name: 'plain', text: secret }];
  forms.push({ name: 'json', text: JSON.stringify(secret).slice(1, -1) });
  forms.push({ name: 'url', text: encodeURIComponent(secret) });
  const bytes = Buffer.from(secret, 'utf8');
  for (const offset of [0, 1, 2] as const) {
    const b64 = base64Fragment(bytes, offset);
    if (b64.length < MIN_FRAGMENT) continue;
    forms.push({ name: `base64+${offset}`, text: b64 });
    forms.push({ name: `base64url+${offset}`, text: b64.replace(/\+/g, '-').replace(/\//g, '_') });
  }
  const unique = new Map<string, Form>();
  for (const f of forms) if (!unique.has(f.text)) unique.set(f.text, f);
  return [...unique.values()];
}

/** How a secret is named in a report: never the value, only its length and a hash prefix to tell them apart. */
export function secretLabel(secret: string, index: number): string {
  let h = 0;
  for (const ch of secret) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return `secret #${index + 1} (${secret.length} chars, id ${h.toString(16).padStart(8, '0').slice(0, 6)})`;
}
