// `pnpm leak-scan --secrets FILE [--secrets FILE…] [--exclude PATH…] PATH…`: exit 0 when no form of any listed
// secret appears in any file under the PATHs, 1 with one line per hit (file, offset, form; never the value), 2 on
// a usage error. A scan with no secret to look for or no file to look in fails: it would prove nothing.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scanPaths } from './scan.ts';
import { readSecretList } from './secret-list.ts';

const USAGE = 'usage: pnpm leak-scan --secrets FILE [--secrets FILE…] [--exclude PATH…] PATH…';

export function main(argv: string[]): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    console.error(`leak-scan: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const lists = values.secrets ?? [];
  if (lists.length === 0 || positionals.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const missing = [...lists, ...positionals].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    console.error(`leak-scan: no such file or directory: ${missing.join(', ')}`);
    return 2;
  }
  const secrets = lists.flatMap(readSecretList);
  if (secrets.length === 0) {
    console.error(`leak-scan: ${lists.join(', ')} list no secret: nothing to look for`);
    return 1;
  }
  // The lists hold the values: never scanned as output.
  const exclude = [...lists, ...(values.exclude ?? [])].map((p) => resolve(p));
  const r = scanPaths(positionals, secrets, { exclude });
  if (r.files === 0) {
    console.error(`leak-scan: no file under ${positionals.join(', ')}: nothing was scanned`);
    return 1;
  }
  const size = `${(r.bytes / 1024 / 1024).toFixed(1)} MiB`;
  for (const h of r.hits) console.log(`LEAK ${h.file} @${h.offset}: ${h.secret} as ${h.form}`);
  console.log(
    `leak-scan: ${r.secrets} secrets in ${r.forms} forms (plain, JSON-escaped, URL-encoded, base64/base64url at 3 alignments) searched in ${r.files} files (${size}): ${r.hits.length === 0 ? 'zero hits' : `${r.hits.length} HIT(S)`}`,
  );
  return r.hits.length === 0 ? 0 : 1;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { secrets: { type: 'string', multiple: true }, exclude: { type: 'string', multiple: true } },
  });
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
