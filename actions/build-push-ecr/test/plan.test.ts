// Pure planner and argv builders: table tests, no AWS, no processes.
import { ConfigurationError, DeployFailure } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import {
  type BuildPlan,
  buildahArgs,
  buildxArgs,
  buildxCreateArgs,
  buildxDriver,
  buildxRemoveArgs,
  decide,
  digestFromMetadata,
  displayArgs,
  loginArgs,
  logoutArgs,
  needsOwnBuilder,
  passwordFromToken,
  type RepositoryState,
  registryFromEndpoint,
  resolveBuilder,
  verifyDigest,
} from '../src/plan';
import { tokenNeedsRefresh } from '../src/registry';

const URI = '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api';

function plan(over: Partial<BuildPlan> = {}): BuildPlan {
  return {
    builder: 'buildx',
    repositoryUri: URI,
    refs: [`${URI}:abc123`, `${URI}:latest`],
    context: '/w/app',
    dockerfile: '/w/app/Dockerfile',
    platforms: ['linux/amd64'],
    buildArgs: [['VITE_API', 'https://api.example.com']],
    labels: [['org.opencontainers.image.revision', 'abc123']],
    cache: 'ecr',
    cacheTag: 'buildcache',
    provenance: false,
    insecure: false,
    metadataFile: '/t/metadata.json',
    digestFile: '/t/digest',
    authFile: '/t/auth.json',
    storage: {},
    ...over,
  };
}

describe('buildxArgs', () => {
  test('cache ecr, provenance off: the ECR-compatible registry cache and a single manifest', () => {
    expect(buildxArgs(plan())).toEqual([
      'buildx',
      'build',
      '--file',
      '/w/app/Dockerfile',
      '--platform',
      'linux/amd64',
      '--tag',
      `${URI}:abc123`,
      '--tag',
      `${URI}:latest`,
      '--build-arg',
      'VITE_API=https://api.example.com',
      '--label',
      'org.opencontainers.image.revision=abc123',
      '--provenance=false',
      '--cache-from',
      `type=registry,ref=${URI}:buildcache`,
      '--cache-to',
      `type=registry,ref=${URI}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`,
      '--push',
      '--metadata-file',
      '/t/metadata.json',
      '/w/app',
    ]);
  });

  test.each([
    [
      'own builder: --builder right after build',
      plan({ buildxBuilder: 'deploy-actions-9-1' }),
      (a: string[]) => a.slice(0, 4).join(' ') === 'buildx build --builder deploy-actions-9-1',
    ],
    ['cache off: no cache flags', plan({ cache: 'off' }), (a: string[]) => !a.includes('--cache-to')],
    ['provenance on', plan({ provenance: true }), (a: string[]) => a.includes('--provenance=mode=max')],
    [
      'multi-platform joined with commas',
      plan({ platforms: ['linux/amd64', 'linux/arm64'] }),
      (a: string[]) => a[a.indexOf('--platform') + 1] === 'linux/amd64,linux/arm64',
    ],
    ['context is the last argument', plan(), (a: string[]) => a.at(-1) === '/w/app'],
    ['never a password', plan(), (a: string[]) => !a.some((x) => x.includes('password'))],
  ])('%s', (_name, p, check) => {
    expect(check(buildxArgs(p))).toBe(true);
  });
});

describe('buildahArgs', () => {
  test('storage options, chroot isolation, plain-http registry, cache in the repository, one push per tag', () => {
    const p = plan({
      builder: 'buildah',
      insecure: true,
      storage: { driver: 'vfs', root: '/s/root', runroot: '/s/run', isolation: 'chroot' },
    });
    const global = ['--storage-driver', 'vfs', '--root', '/s/root', '--runroot', '/s/run'];
    const { build, push } = buildahArgs(p);
    expect(build).toEqual([
      ...global,
      'bud',
      '--isolation',
      'chroot',
      '--authfile',
      '/t/auth.json',
      '--tls-verify=false',
      '--file',
      '/w/app/Dockerfile',
      '--platform',
      'linux/amd64',
      '--tag',
      `${URI}:abc123`,
      '--tag',
      `${URI}:latest`,
      '--build-arg',
      'VITE_API=https://api.example.com',
      '--label',
      'org.opencontainers.image.revision=abc123',
      '--layers',
      '--cache-from',
      URI,
      '--cache-to',
      URI,
      '/w/app',
    ]);
    expect(push).toEqual([
      {
        ref: `${URI}:abc123`,
        digestFile: '/t/digest.0',
        args: [
          ...global,
          'push',
          '--authfile',
          '/t/auth.json',
          '--tls-verify=false',
          '--digestfile',
          '/t/digest.0',
          `${URI}:abc123`,
        ],
      },
      {
        ref: `${URI}:latest`,
        digestFile: '/t/digest.1',
        args: [
          ...global,
          'push',
          '--authfile',
          '/t/auth.json',
          '--tls-verify=false',
          '--digestfile',
          '/t/digest.1',
          `${URI}:latest`,
        ],
      },
    ]);
  });

  test('real https registry with default storage: no tls or storage flags; cache off: no --layers', () => {
    const { build, push } = buildahArgs(plan({ builder: 'buildah', cache: 'off' }));
    expect(build.slice(0, 3)).toEqual(['bud', '--authfile', '/t/auth.json']);
    expect(build).not.toContain('--tls-verify=false');
    expect(build).not.toContain('--layers');
    expect(push[0]?.args).toEqual([
      'push',
      '--authfile',
      '/t/auth.json',
      '--digestfile',
      '/t/digest.0',
      `${URI}:abc123`,
    ]);
  });
});

describe('login / logout', () => {
  const host = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
  test.each([
    ['buildx login', loginArgs(plan(), host), ['login', '--username', 'AWS', '--password-stdin', host]],
    ['buildx logout', logoutArgs(plan(), host), ['logout', host]],
    [
      'buildah login (plain http)',
      loginArgs(plan({ builder: 'buildah', insecure: true }), host),
      ['login', '--authfile', '/t/auth.json', '--tls-verify=false', '--username', 'AWS', '--password-stdin', host],
    ],
    ['buildah logout', logoutArgs(plan({ builder: 'buildah' }), host), ['logout', '--authfile', '/t/auth.json', host]],
  ])('%s', (_n, args, expected) => {
    expect(args).toEqual(expected);
  });
});

describe('resolveBuilder', () => {
  test.each([
    ['auto, buildx works', 'auto', { buildx: true, buildah: true }, 'buildx'],
    ['auto, no buildx', 'auto', { buildx: false, buildah: true }, 'buildah'],
    ['explicit buildah even with buildx', 'buildah', { buildx: true, buildah: true }, 'buildah'],
    ['explicit buildx', 'buildx', { buildx: true, buildah: false }, 'buildx'],
  ] as const)('%s → %s', (_n, choice, probe, expected) => {
    expect(resolveBuilder(choice, probe, ['linux/amd64'])).toBe(expected);
  });

  test.each([
    ['auto, nothing', 'auto', { buildx: false, buildah: false }, ['linux/amd64'], 'builder'],
    ['buildx missing', 'buildx', { buildx: false, buildah: true }, ['linux/amd64'], 'builder'],
    ['buildah missing', 'buildah', { buildx: true, buildah: false }, ['linux/amd64'], 'builder'],
    [
      'buildah multi-platform',
      'buildah',
      { buildx: false, buildah: true },
      ['linux/amd64', 'linux/arm64'],
      'platforms',
    ],
  ] as const)('%s → ConfigurationError(%s)', (_n, choice, probe, platforms, input) => {
    const err = (() => {
      try {
        resolveBuilder(choice, probe, platforms);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).input).toBe(input);
  });
});

describe('decide', () => {
  const inputs = {
    tags: ['abc123', 'latest'],
    skipExisting: true,
    cache: 'ecr' as const,
    cacheTag: 'buildcache',
    repository: 'team/api',
    region: 'us-east-1',
  };
  const repo = (mutability = 'MUTABLE', exclusionFilters: string[] = []): RepositoryState => ({
    name: 'team/api',
    uri: URI,
    mutability,
    exclusionFilters,
  });
  const D = `sha256:${'1'.repeat(64)}`;

  test.each([
    ['nothing exists → build', inputs, 'buildx', repo(), new Map(), 'build'],
    ['first tag exists → skip', inputs, 'buildx', repo(), new Map([['abc123', D]]), 'skip'],
    [
      'immutable + existing first tag + skip-existing → skip',
      inputs,
      'buildx',
      repo('IMMUTABLE'),
      new Map([['abc123', D]]),
      'skip',
    ],
    [
      'mutable, skip-existing off → build (tag moves)',
      { ...inputs, skipExisting: false },
      'buildx',
      repo(),
      new Map([['abc123', D]]),
      'build',
    ],
    ['only a later (mutable) tag exists → build', inputs, 'buildx', repo(), new Map([['latest', D]]), 'build'],
    [
      'immutable with exclusion for the cache tag → build',
      inputs,
      'buildx',
      repo('IMMUTABLE_WITH_EXCLUSION', ['buildcache', 'latest']),
      new Map([['latest', D]]),
      'build',
    ],
    [
      'immutable + cache off → build',
      { ...inputs, cache: 'off' as const },
      'buildah',
      repo('IMMUTABLE'),
      new Map(),
      'build',
    ],
  ] as const)('%s', (_n, i, builder, r, existing, kind) => {
    const d = decide(i, builder, r, existing);
    expect(d.kind).toBe(kind);
    if (d.kind === 'skip') expect(d.digest).toBe(D);
  });

  test('skip notes the other tags it leaves alone', () => {
    const E = `sha256:${'2'.repeat(64)}`;
    const d = decide(
      { ...inputs, tags: ['abc123', 'latest', 'stable'] },
      'buildx',
      repo(),
      new Map([
        ['abc123', D],
        ['latest', E],
      ]),
    );
    expect(d).toMatchObject({
      kind: 'skip',
      tags: ['abc123'],
      notes: [`tag latest points at ${E} and was not changed`, 'tag stable does not exist and was not changed'],
    });
  });

  test.each([
    [
      'immutable + existing tag + skip-existing off',
      { ...inputs, skipExisting: false, cache: 'off' as const },
      'buildx',
      repo('IMMUTABLE'),
      new Map([['abc123', D]]),
      /tag abc123 already exists in team\/api .* IMMUTABLE/,
      'tags',
    ],
    [
      'immutable + a later tag exists',
      { ...inputs, cache: 'off' as const },
      'buildx',
      repo('IMMUTABLE'),
      new Map([['latest', D]]),
      /tag latest already exists/,
      'tags',
    ],
    [
      'immutable + cache ecr (buildx) suggests an exclusion for the cache tag',
      inputs,
      'buildx',
      repo('IMMUTABLE'),
      new Map(),
      /IMMUTABLE_WITH_EXCLUSION .*filter=buildcache.*cache: off/,
      'cache',
    ],
    [
      'immutable + cache ecr (buildah)',
      inputs,
      'buildah',
      repo('IMMUTABLE_WITH_EXCLUSION', ['buildcache']),
      new Map(),
      /buildah's cache tags .*filter=\*/,
      'cache',
    ],
  ] as const)(
    '%s → ConfigurationError naming the input, before building',
    (_n, i, builder, r, existing, message, input) => {
      expect(() => decide(i, builder, r, existing)).toThrow(ConfigurationError);
      expect(() => decide(i, builder, r, existing)).toThrow(message);
      expect(() => decide(i, builder, r, existing)).toThrow(expect.objectContaining({ input }));
    },
  );
});

describe('small parsers', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  test.each([
    [JSON.stringify({ 'containerimage.digest': digest, 'image.name': 'x' }), digest],
    [JSON.stringify({ 'containerimage.digest': 'nope' }), undefined],
    ['not json', undefined],
    ['', undefined],
  ])('digestFromMetadata(%s)', (json, expected) => {
    expect(digestFromMetadata(json)).toBe(expected);
  });

  test('passwordFromToken', () => {
    expect(passwordFromToken(Buffer.from('AWS:s3cr:et').toString('base64'))).toBe('s3cr:et');
    expect(() => passwordFromToken(Buffer.from('nocolon').toString('base64'))).toThrow(DeployFailure);
  });

  test.each([
    ['https://123456789012.dkr.ecr.us-east-1.amazonaws.com', '123456789012.dkr.ecr.us-east-1.amazonaws.com', false],
    ['http://127.0.0.1:4566', '127.0.0.1:4566', true],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', false],
  ])('registryFromEndpoint(%s)', (endpoint, host, insecure) => {
    expect(registryFromEndpoint(endpoint)).toEqual({ host, insecure });
  });

  test.each([
    [undefined, false],
    [new Date(10 * 3_600_000), false],
    [new Date(20 * 60_000), true],
  ])('tokenNeedsRefresh(%s) at t=0', (expiresAt, expected) => {
    expect(tokenNeedsRefresh(expiresAt, 0)).toBe(expected);
  });
});

describe('verifyDigest', () => {
  const a = `sha256:${'a'.repeat(64)}`;
  const b = `sha256:${'b'.repeat(64)}`;
  test('equal → the digest', () => {
    expect(verifyDigest('buildah', a, a, 'team/api:v1')).toBe(a);
  });
  test.each([
    [b, /buildx reported digest sha256:a+ but ECR has sha256:b+ for team\/api:v1/],
    [undefined, /but ECR has no image for team\/api:v1/],
  ])('ECR has %s → DeployFailure', (described, message) => {
    expect(() => verifyDigest('buildx', a, described, 'team/api:v1')).toThrow(message);
  });
});

describe('buildx builder: the docker driver cannot export a registry cache', () => {
  test.each([
    { name: 'default builder on a runner', out: 'Name:          default\nDriver:        docker\n', driver: 'docker' },
    {
      name: 'setup-buildx builder',
      out: 'Name:   builder-1\nDriver: docker-container\nNodes:\n',
      driver: 'docker-container',
    },
    { name: 'inspect failed', out: '', driver: undefined },
  ])('$name', ({ out, driver }) => {
    expect(buildxDriver(out)).toBe(driver);
  });
  test.each([
    ['docker', 'ecr', true],
    ['docker', 'off', false],
    ['docker-container', 'ecr', false],
    ['remote', 'ecr', false],
    [undefined, 'ecr', false],
  ] as const)('driver %s, cache %s → own builder %s', (driver, cache, want) => {
    expect(needsOwnBuilder(driver, cache)).toBe(want);
  });
  test('create / build --builder / rm argv', () => {
    expect(buildxCreateArgs('deploy-actions-1-2')).toEqual([
      'buildx',
      'create',
      '--name',
      'deploy-actions-1-2',
      '--driver',
      'docker-container',
      '--bootstrap',
    ]);
    expect(buildxRemoveArgs('deploy-actions-1-2')).toEqual(['buildx', 'rm', 'deploy-actions-1-2']);
  });
});

describe('displayArgs: the printed command line', () => {
  test('build-arg values are masked unless public; other words through the kit redaction', () => {
    const argv = [
      'bud',
      '--build-arg',
      'NPM_TOKEN=npm_abc',
      '--build-arg',
      'APP_VERSION=1.4.0',
      '--build-arg',
      'EMPTY=',
      '--label',
      'src=https://u:pw@git.example/x',
      '--tag',
      `127.0.0.1:4566/team/api:${'a'.repeat(40)}`,
      '.',
    ];
    expect(displayArgs(argv, ['APP_VERSION'])).toEqual([
      'bud',
      '--build-arg',
      'NPM_TOKEN=***',
      '--build-arg',
      'APP_VERSION=1.4.0',
      '--build-arg',
      'EMPTY=***',
      '--label',
      'src=https://u:***@git.example/x',
      '--tag',
      `127.0.0.1:4566/team/api:${'a'.repeat(40)}`,
      '.',
    ]);
    expect(argv[2]).toBe('NPM_TOKEN=npm_abc'); // what runs is unchanged
  });
});
