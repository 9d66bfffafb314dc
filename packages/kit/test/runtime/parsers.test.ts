// One parser per input kind (runtime/inputs): table tests with the strings the audit used and their siblings.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseArn, parseCluster, parseRegion } from '../../src/runtime/inputs/aws-ids';
import { parseCommand } from '../../src/runtime/inputs/command';
import { DURATION_RULES, type DurationKind, parseDurationInput } from '../../src/runtime/inputs/durations';
import { parseHealthCheckHeaders, parseHealthCheckUrl } from '../../src/runtime/inputs/health-check';
import { parseImage } from '../../src/runtime/inputs/image';
import { parseOutputFile } from '../../src/runtime/inputs/output-file';
import { secretValueFromProblem } from '../../src/runtime/inputs/secret-ref';
import { parseTaskDefReference } from '../../src/runtime/inputs/taskdef-ref';
import { configurationError } from '../../src/testing';

const configError = configurationError;

/** The ConfigurationError `fn` throws: it names `input` and its message matches. */
function inputError(input: string, fn: () => unknown, message: RegExp): Error {
  const err = configError(fn);
  expect(err.input).toBe(input);
  expect(err.message).toMatch(message);
  return err;
}

const HEX64 = '0123456789abcdef'.repeat(4);

describe('command: one grammar for every command input', () => {
  test.each<[string, string[]]>([
    ['python manage.py migrate --noinput', ['python', 'manage.py', 'migrate', '--noinput']],
    ['migrate --username ops#1', ['migrate', '--username', 'ops#1']],
    ['echo a#b', ['echo', 'a#b']],
    ["echo '#not a comment'", ['echo', '#not a comment']],
    ['echo \\#x', ['echo', '#x']],
    ["ls '*.sql'", ['ls', '*.sql']],
    ['ls \\*.sql', ['ls', '*.sql']],
    ["echo 'x'", ['echo', 'x']],
    ['echo "it\'s"', ['echo', "it's"]],
    ["psql -c 'select 1; select 2'", ['psql', '-c', 'select 1; select 2']],
    ['echo "a \\"b\\" \\\\ c"', ['echo', 'a "b" \\ c']],
    ['echo "keep \\n"', ['echo', 'keep \\n']],
    ["echo '$HOME' \\$PATH", ['echo', '$HOME', '$PATH']],
    ["echo ''", ['echo', '']],
    ['echo a\\ b', ['echo', 'a b']],
    ['alembic -x key=value upgrade head', ['alembic', '-x', 'key=value', 'upgrade', 'head']],
  ])('%j → words', (raw, words) => {
    expect(parseCommand('command', raw)).toEqual(words);
  });

  test.each<[string, string, RegExp]>([
    ['glob', 'ls *.sql', /the glob "\*\.sql", which needs a shell/],
    ['glob ?', 'ls file?.txt', /the glob "file\?\.txt"/],
    ['glob [', 'ls [ab].txt', /the glob "\[ab\]\.txt"/],
    ['comment', 'migrate # note', /a comment \("# note"\), which needs a shell/],
    ['comment only', '# note', /a comment/],
    ['open single quote', "echo 'x", /unterminated quote \('\)/],
    ['open double quote', 'echo "x', /unterminated quote \("\)/],
    ["apostrophe (it's)", "echo it's", /unterminated quote/],
    ['trailing backslash', 'echo x\\', /lone backslash/],
    ['&&', 'migrate && seed', /the shell operator '&&', which needs a shell.*\["sh", "-c", "migrate && seed"\]/],
    ['||', 'a || b', /shell operator '\|\|'/],
    ['pipe', 'a | b', /shell operator '\|'/],
    ['semicolon', 'a; b', /shell operator ';'/],
    ['redirect', 'migrate > out.txt', /shell operator '>'/],
    ['append', 'migrate >> out.txt', /shell operator '>>'/],
    ['background', 'migrate &', /shell operator '&'/],
    ['subshell', '(cd x)', /shell operator '\('/],
    ['variable', 'echo $HOME', /the expansion "\$HOME"/],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion written by a user, not a template
    ['braced variable', 'echo ${HOME}', /the expansion "\$\{HOME\}"/],
    ['command substitution', 'echo $(date)', /the expansion "\$\(date\)"/],
    ['backticks', 'echo `date`', /the expansion "`date`"/],
    ['variable in double quotes', 'echo "$HOME"', /the expansion "\$HOME" inside double quotes/],
    ['tilde', 'ls ~/x', /'~' \(home directory expansion\)/],
    ['line break', 'migrate\nseed', /a line break/],
    ['JSON not strings', '["python", 3]', /element 1 .* must be a string/],
    ['empty JSON array', '[]', /non-empty JSON array/],
    ['bad JSON', '["python", manage.py]', /invalid JSON array at line 1, column/],
  ])('%s: %j is an error naming the input', (_name, raw, message) => {
    inputError('migration-command', () => parseCommand('migration-command', raw), message);
  });

  test('a line number is named for multi-line inputs', () => {
    expect(configError(() => parseCommand('command', 'ls *.sql', 3)).message).toMatch(/^line 3: /);
    expect(configError(() => parseCommand('command', '[1]', 2)).message).toMatch(/^line 2: /);
  });

  test('JSON arrays are taken as they are (a shell is yours to run)', () => {
    expect(parseCommand('command', '["sh", "-c", "ls *.sql && echo $HOME # ok"]')).toEqual([
      'sh',
      '-c',
      'ls *.sql && echo $HOME # ok',
    ]);
  });

  test('blank → the task definition’s own command', () => expect(parseCommand('command', '  ')).toBeUndefined());
});

describe('durations: one rule per duration input', () => {
  test.each<[string, DurationKind, string, RegExp]>([
    ['health-check-timeout', 'health-check-timeout', '0', /expected between 1s and 6h .*got "0"/],
    ['health-check-timeout', 'health-check-timeout', '500ms', /expected between 1s and 6h/],
    ['migration-timeout', 'task-timeout', '0', /expected between 1s and 24h .*got "0"/],
    ['timeout', 'task-timeout', '0s', /expected between 1s and 24h/],
    ['timeout', 'task-timeout', '25h', /expected between 1s and 24h/],
    ['wait-timeout', 'wait-timeout', '0', /expected between 1s and 6h/],
    ['wait-timeout', 'wait-timeout', '7h', /expected between 1s and 6h \(the GitHub job limit\)/],
    ['timeout', 'lookup-timeout', '300ms', /expected between 1s and 6h/],
    ['invalidation-timeout', 'invalidation-timeout', '30s', /expected at least 1m, got "30s"/],
    ['invalidation-timeout', 'invalidation-timeout', '59', /expected at least 1m/],
  ])('%s (%s) %j is an error naming the input', (input, kind, raw, message) => {
    inputError(input, () => parseDurationInput(input, raw, kind), message);
  });

  test.each<[DurationKind, string, number]>([
    ['health-check-timeout', '1s', 1000],
    ['health-check-timeout', '', 120_000],
    ['task-timeout', '24h', 86_400_000],
    ['wait-timeout', '', 1_800_000],
    ['invalidation-timeout', '1m', 60_000],
    ['invalidation-timeout', '', 600_000],
    ['retention', '0', 0],
    ['retention', '', 604_800_000],
    ['retention', '1d12h', 129_600_000],
  ])('%s %j → %d ms', (kind, raw, ms) => expect(parseDurationInput('x', raw, kind)).toBe(ms));

  test('every rule has a minimum and a default within it', () => {
    for (const [kind, rule] of Object.entries(DURATION_RULES)) {
      expect(parseDurationInput(kind, '', kind as DurationKind)).toBeGreaterThanOrEqual(rule.min);
    }
  });
});

describe('images', () => {
  test.each([
    'nginx:1.27',
    `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@sha256:${HEX64}`,
    `repo:v1@sha256:${HEX64}`,
    '127.0.0.1:4566/team/app:1.0',
  ])('%s', (image) => expect(parseImage('containers', image)).toBe(image));

  test.each<[string, RegExp]>([
    [`repo@sha256:${HEX64.slice(0, 32)}`, /the digest has 32 hex digits; a sha256 digest has 64/],
    [`repo@sha256:${HEX64.toUpperCase()}`, /a sha256 digest has 64 \(lower case\)/],
    [`repo@md5:${HEX64.slice(0, 32)}`, /is not a digest: expected sha256: and 64 hex digits/],
    ['repo@latest', /is not a digest/],
    ['Shop/Web:latest', /is not an image reference/],
  ])('%s is an error', (image, message) => {
    const err = inputError('containers', () => parseImage('containers', image, 2), message);
    expect(err.message).toMatch(/^line 2: /);
  });
});

describe('secrets: references, never values', () => {
  test.each([
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-Xk9Lm2',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-Xk9Lm2:password::',
    'arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/db-password',
    '/shop/prod/db-password',
    '/shop/prod/db/Xk9Lm2pQ7rT4vW8yZ1aB3cD5',
    'db_password',
    'prod.api.key',
    'StripeSecretKey',
  ])('%s is a reference', (value) => expect(secretValueFromProblem(value)).toBeUndefined());

  test.each<[string, RegExp]>([
    ['hunter2 please', /looks like a secret value/],
    ['"quoted"', /looks like a secret value/],
    ['postgres=secret', /looks like a secret value/],
    ['sk_live_51H8xYzAbCdEfGhIjKlMnOpQr', /looks like a secret value/],
    ['wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'.replace('/', ''), /looks like a secret value/],
    [
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      /looks like a secret value/,
    ],
    [`/${'a'.repeat(1011)}`, /looks like a secret value/],
    ['arn:aws:s3:::bucket/key', /only Secrets Manager and SSM/],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:password', /all three colons/],
    ['a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p', /at most 15 levels/],
  ])('%s is refused', (value, message) => expect(secretValueFromProblem(value)).toMatch(message));

  test('the message never repeats the value', () => {
    expect(secretValueFromProblem('sk_live_51H8xYzAbCdEfGhIjKlMnOpQr')).not.toContain('sk_live');
  });
});

describe('health-check URL and headers', () => {
  test.each(['https://app.example.com/health', 'http://10.0.0.5:8000/ready?deep=1'])('%s', (url) =>
    expect(parseHealthCheckUrl('health-check-url', url)).toBe(new URL(url).toString()),
  );
  test.each<[string, RegExp]>([
    ['https://ops:hunter2@app.example.com/health', /credentials in the URL .* health-check-headers/],
    ['https://ops@app.example.com/health', /health-check-headers/],
    ['ftp://app.example.com/health', /expected an http\(s\) URL/],
    ['not a url', /expected an http\(s\) URL/],
  ])('%s is refused', (url, message) => {
    const err = inputError('health-check-url', () => parseHealthCheckUrl('health-check-url', url), message);
    expect(err.message).not.toContain('hunter2');
  });

  test('headers: Name: value lines in order, comments and blanks skipped', () => {
    expect(
      parseHealthCheckHeaders('health-check-headers', 'Authorization: Basic b3BzOmh1bnRlcjI=\n\n# note\nX-Probe:  1 '),
    ).toEqual([
      ['Authorization', 'Basic b3BzOmh1bnRlcjI='],
      ['X-Probe', '1'],
    ]);
  });
  test.each<[string, RegExp]>([
    ['Authorization Basic xyz', /line 1: expected "Name: value" \(the value is not shown\)/],
    ['Bad Name: x', /not a header name/],
    ['Host: evil.example', /the Host header cannot be set/],
    ['X-A: 1\nx-a: 2', /line 2: x-a already set on line 1/],
  ])('%j is an error', (raw, message) => {
    const err = inputError('health-check-headers', () => parseHealthCheckHeaders('health-check-headers', raw), message);
    expect(err.message).not.toContain('xyz');
  });
});

describe('task-definition references: one grammar, one union', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdref-'));
  writeFileSync(join(dir, 'td.json'), '{}');
  writeFileSync(join(dir, 'web'), '{}');
  const all = { allow: ['service', 'arn', 'file', 'family'] as const, baseDir: dir };
  const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
  test.each<[string, unknown]>([
    ['service:current', { kind: 'service' }],
    [ARN, { kind: 'arn', arn: ARN }],
    ['web:7', { kind: 'family', family: 'web', revision: 7 }],
    ['api', { kind: 'family', family: 'api' }],
    ['td.json', { kind: 'file', path: 'td.json', absolutePath: join(dir, 'td.json') }],
    ['web', { kind: 'file', path: 'web', absolutePath: join(dir, 'web') }],
  ])('%s', (raw, ref) => expect(parseTaskDefReference('task-definition', raw, all)).toEqual(ref));

  test.each<[string, object, RegExp]>([
    ['arn:aws:ecs:us-east-1:1:task/x', all, /is not a task definition revision ARN: expected arn:aws:ecs:.*12 digits/],
    ['arn:aws:ecs:us-east-1:123456789012:task-definition/web', all, /not a task definition revision ARN/],
    ['missing.json', all, /file not found: missing\.json/],
    ['out/td.json', all, /file not found/],
    ['web v2', all, /is not a task definition reference/],
    ['service:current', { allow: ['file', 'arn', 'family'], baseDir: dir }, /which this input does not take/],
    ['web', { allow: ['family'], baseDir: '/nonexistent', revision: 'required' }, /has no revision/],
    ['web:3', { allow: ['family'], baseDir: dir, revision: 'refused' }, /names a revision/],
    ['', all, /is required/],
  ])('%j is an error', (raw, options, message) => {
    inputError('task-definition', () => parseTaskDefReference('task-definition', raw, options as never), message);
  });
});

describe('ARN, region, cluster', () => {
  test('one ARN pattern', () => {
    expect(parseArn('arn:aws-us-gov:iam::123456789012:role/deploy')).toEqual({
      partition: 'aws-us-gov',
      service: 'iam',
      region: '',
      account: '123456789012',
      resource: 'role/deploy',
    });
    expect(parseArn('arn:aws:ecs:us-east-1:1:task/x')).toBeUndefined();
    expect(parseArn('not:an:arn')).toBeUndefined();
  });
  test.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1'])('region %s', (r) =>
    expect(parseRegion('aws-region', r)).toBe(r),
  );
  test.each<[string, RegExp]>([
    ['us-east-1a', /is an availability zone; the region is us-east-1/],
    ['US East 1', /expected an AWS region like us-east-1/],
    ['x-1', /expected an AWS region/],
  ])('region %j is an error', (raw, message) => {
    expect(configError(() => parseRegion('aws-region', raw)).message).toMatch(message);
  });
  test.each(['app', 'app_staging-2', 'arn:aws:ecs:eu-west-1:123456789012:cluster/app'])('cluster %s', (c) =>
    expect(parseCluster('cluster', c)).toBe(c),
  );
  test.each(['app/prod', 'arn:aws:ecs:eu-west-1:123456789012:service/app/api', 'a b', ''])(
    'cluster %j is an error',
    (c) => expect(configError(() => parseCluster('cluster', c)).input).toBe('cluster'),
  );
});

describe('output-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'out-'));
  mkdirSync(join(dir, 'existing'));
  test.each<[string, string | undefined]>([
    ['', undefined],
    ['td.json', join(dir, 'td.json')],
    ['out/td.json', join(dir, 'out/td.json')],
  ])('%j', (raw, path) => expect(parseOutputFile('output-file', raw, dir)).toBe(path));
  test.each<[string, RegExp]>([
    ['out/', /names a directory/],
    ['.', /names a directory/],
    ['existing', /is an existing directory; expected a file path inside it/],
  ])('%j is an error', (raw, message) => {
    inputError('output-file', () => parseOutputFile('output-file', raw, dir), message);
  });
});
