// Test setup every emulator-backed test, benchmark and demo repeats: the AWS_* environment, SDK client settings,
// the AWS CLI environment, an emulator's start/stop/reset lifecycle and the "mutating requests" filter.
// Framework-free on purpose (no vitest import): bench scripts use it too. Test files hand their hook functions in:
//   const emu = useEmulator({ timeScale: 1 }, { beforeAll, afterAll, beforeEach });
import { existsSync } from 'node:fs';
import { EmulatorControl } from './control-client.ts';
import type { RequestLogEntry } from './request-log.ts';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from './start.ts';

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT_ID = '000000000000';

/** The AWS_* variables that point the SDK v3 (and the kit's createClient) at the emulator. Any key is accepted. */
export function awsEnvFor(url: string, region: string = TEST_REGION): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_ENDPOINT_URL: url,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** SDK v3 client configuration at default settings: only endpoint, region and static credentials. */
export function sdkClientConfig(
  url: string,
  region: string = TEST_REGION,
): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  return { endpoint: url, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

/**
 * Environment for the real AWS CLI v2 (/usr/bin/aws; pass `--endpoint-url <url>` per command): static test
 * credentials, no config or credentials files, no pager. `home` defaults to this process's HOME.
 */
export function awsCliEnv(home: string = process.env.HOME ?? '/tmp'): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: TEST_REGION,
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/** The mutating entries of the request log ("no mutating request" checks). */
export async function mutatingRequests(control: EmulatorControl): Promise<RequestLogEntry[]> {
  return (await control.requests()).filter((r) => r.mutating);
}

export interface UseEmulatorOptions extends EmulatorOptions {
  /** Put awsEnvFor(url) on process.env at start (restored at stop), so clients built from the environment use it. */
  setEnv?: boolean;
}

/** A test framework's hook registrars (vitest's or node:test's beforeAll/afterAll/beforeEach); each one optional. */
export interface LifecycleHooks {
  beforeAll?: (fn: () => Promise<void>) => unknown;
  afterAll?: (fn: () => Promise<void>) => unknown;
  beforeEach?: (fn: () => Promise<void>) => unknown;
}

/** One emulator for a test file or a benchmark. Methods are bound, so `beforeAll(emu.start)` works. */
export class EmulatorFixture {
  readonly options: UseEmulatorOptions;
  #running: RunningEmulator | undefined;
  #control: EmulatorControl | undefined;
  #savedEnv: Record<string, string | undefined> | undefined;

  constructor(options: UseEmulatorOptions = {}) {
    this.options = options;
  }

  /** The running emulator (throws before start()). */
  get emulator(): RunningEmulator {
    if (!this.#running) throw new Error('emulator not started: call start() first (e.g. in beforeAll)');
    return this.#running;
  }
  get url(): string {
    return this.emulator.url;
  }
  get port(): number {
    return this.emulator.port;
  }
  get runtime(): RunningEmulator['runtime'] {
    return this.emulator.runtime;
  }
  get control(): EmulatorControl {
    this.#control ??= new EmulatorControl(this.url);
    return this.#control;
  }
  /** awsEnvFor(url), for child processes (action bundles, the AWS CLI through the SDK variables). */
  get env(): Record<string, string> {
    return awsEnvFor(this.url);
  }
  /** SDK v3 client configuration for this emulator: `new ECSClient(emu.clientConfig)`. */
  get clientConfig(): ReturnType<typeof sdkClientConfig> {
    return sdkClientConfig(this.url);
  }

  start = async (): Promise<void> => {
    const { setEnv, ...options } = this.options;
    this.#running = await startEmulator({ ...options, port: options.port ?? 0 });
    this.#control = new EmulatorControl(this.#running.url);
    if (setEnv) {
      const env = awsEnvFor(this.#running.url);
      this.#savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
    }
  };

  stop = async (): Promise<void> => {
    const running = this.#running;
    this.#running = undefined;
    this.#control = undefined;
    if (this.#savedEnv) {
      for (const [k, v] of Object.entries(this.#savedEnv)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      this.#savedEnv = undefined;
    }
    await running?.stop();
  };

  /** POST /_emulator/reset: empty state, default behaviours, cleared request log. */
  reset = (): Promise<void> => this.control.reset();

  mutatingRequests = (): Promise<RequestLogEntry[]> => mutatingRequests(this.control);
}

/**
 * An emulator fixture (port 0 unless given). With hooks, registers start (beforeAll), stop (afterAll) and reset
 * (beforeEach) on those given; without, call start()/stop()/reset() yourself.
 */
export function useEmulator(options: UseEmulatorOptions = {}, hooks: LifecycleHooks = {}): EmulatorFixture {
  const fixture = new EmulatorFixture(options);
  hooks.beforeAll?.(fixture.start);
  hooks.afterAll?.(fixture.stop);
  hooks.beforeEach?.(fixture.reset);
  return fixture;
}

/** The real clients the conformance tests drive, where the machine installs them (scripts/ensure-tools.mjs). */
export const PEER_TOOLS = {
  aws: { path: '/usr/bin/aws', apt: 'awscli' },
  skopeo: { path: '/usr/bin/skopeo', apt: 'skopeo' },
  buildah: { path: '/usr/bin/buildah', apt: 'buildah' },
} as const;

export type PeerToolName = keyof typeof PEER_TOOLS;

export interface PeerTool {
  name: PeerToolName;
  path: string;
  available: boolean;
  /**
   * Whether tests needing the tool should be skipped: only when it is missing AND this is not CI. In CI (`CI=true`,
   * as GitHub Actions and `.ci/run` set it) a missing tool must fail the run, never hide tests as skipped.
   */
  skip: boolean;
  /** A describe/test title that says why the tests are skipped, or that they will fail in CI. */
  title(title: string): string;
  /** Throw (in a beforeAll) when the tool is missing: in CI the tests then fail with this message. */
  require(): void;
}

/**
 * The one rule for tests that need buildah, skopeo or the AWS CLI:
 *   const skopeo = peerTool('skopeo');
 *   describe.skipIf(skopeo.skip)(skopeo.title('skopeo (real client)'), () => { beforeAll(skopeo.require); ... });
 * Locally a missing tool skips with a message naming the package; with CI=true it fails.
 */
export function peerTool(
  name: PeerToolName,
  env: Record<string, string | undefined> = process.env,
  exists: (path: string) => boolean = existsSync,
): PeerTool {
  const { path, apt } = PEER_TOOLS[name];
  const available = exists(path);
  const ci = env.CI === 'true' || env.CI === '1';
  const missing = `${path} missing (apt-get install -y ${apt})`;
  return {
    name,
    path,
    available,
    skip: !available && !ci,
    title: (title) => (available ? title : ci ? `${title} FAILS IN CI: ${missing}` : `${title} SKIPPED: ${missing}`),
    require: () => {
      if (!available) throw new Error(`${name} is required${ci ? ' in CI (CI=true)' : ''}: ${missing}`);
    },
  };
}
