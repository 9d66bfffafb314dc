// What a scenario is: one run of one of an example's caller workflows, with what the emulator holds before it and
// what AWS must look like after it. A seed system is one example app with its emulator seeding and its scenarios in
// the order they run (each may depend on the ones before: production promotes what staging built).
import type { BehaviorRule, EmulatorControl, SeedFixture } from '@deploy-actions/aws-emulator';
import type { RunResult } from '@deploy-actions/workflow-runner';
import type { AppBehavior, AppHost, Site } from './app-host.ts';
import type { AppRepo, GitChange } from './app-repo.ts';
import type { Probe } from './probe.ts';

export type WorkflowFile = 'staging.yml' | 'production.yml' | 'rollback.yml';

/** `seed`: one of the fifteen seed workflows (staging, production, rollback of each example); the others prove
 * failure paths (`failure`) and the seed gaps of #11 (`gap`). */
export type ScenarioKind = 'seed' | 'failure' | 'gap';

export interface Env {
  control: EmulatorControl;
  /** The emulator's URL (AWS endpoint) and registry host (`127.0.0.1:<port>`, the ECR repository URI host). */
  emulatorUrl: string;
  registry: string;
  probe: Probe;
  appHost: AppHost;
  repo: AppRepo;
  /** buildah is installed: staging builds for real; without it the scenarios seed the commit's image instead. */
  buildah: boolean;
  /** Seed an image `repository:tag` (ECR, the system's region) and return its digest. */
  seedImage(repository: string, tag: string, content: string): Promise<string>;
  /** Add emulator behaviour rules (crash loops, migration outcomes); rules of other systems are left alone. */
  behaviors(rules: BehaviorRule[]): Promise<void>;
  appBehavior(b: AppBehavior): void;
  note(line: string): void;
}

export interface CheckContext {
  probe: Probe;
  repo: AppRepo;
  result: RunResult;
  registry: string;
  /** Images were built (buildah installed); without it each commit's image was seeded before the run. */
  buildah: boolean;
}

/** One expectation on the end state: `verify` returns undefined when it holds, else what differs. */
export interface Check {
  label: string;
  /** Called before the run (e.g. to remember a deployment id that must not change). */
  before?: (ctx: Omit<CheckContext, 'result'>) => Promise<void>;
  verify: (ctx: CheckContext) => Promise<string | undefined>;
}

export interface Scenario {
  /** `<system>/<name>`, unique. */
  id: string;
  title: string;
  kind: ScenarioKind;
  /** What it shows, one or two sentences (in the report). */
  why: string;
  workflow: WorkflowFile;
  event: 'push' | 'tag' | 'dispatch';
  /** Branch (push, dispatch) or tag (tag event). */
  ref: string;
  inputs?: Record<string, string>;
  /** Repository changes before the event: commits pushed, branches, tags. */
  git?: GitChange[];
  /** Emulator changes before the run: a `cdk deploy`, a rotated secret, behaviours, images staging built. */
  prepare?: (env: Env) => Promise<void>;
  /** After the run, whatever the outcome: undo scenario-only behaviours so later scenarios see a healthy system. */
  cleanup?: (env: Env) => Promise<void>;
  expect: {
    conclusion: 'success' | 'failure';
    /** For failures: text that must appear in the failed steps' errors/annotations or the job summaries. */
    rootCause?: RegExp;
    checks: Check[];
  };
}

export interface SeedSystem {
  /** `000` … `004`: the file in shared/seeds. */
  seed: string;
  /** Folder under examples/. */
  app: string;
  title: string;
  /** owner/name on GitHub (the OIDC `sub` the example's trust policies admit). */
  repository: string;
  region: string;
  /** ECR repositories and their images before the first scenario (the release that ran before: v0.9.0). */
  images: Array<{ repository: string; tag: string; content: string }>;
  /** Repositories the staging / production workflows build (without buildah, each commit's image is seeded). */
  builtRepositories: string[];
  /**
   * The rest of the AWS side before the first scenario (what the seed's infrastructure code and manual steps
   * created); `image(repository, tag)` is the digest-pinned URI of a seeded image.
   */
  fixture(env: { registry: string; image(repository: string, tag: string): string }): SeedFixture;
  behaviors: BehaviorRule[];
  sites: Site[];
  /** Repository variables of the app (the URLs point at the app host). */
  vars(host: AppHost): Record<string, string>;
  /** Repository secrets of the app (GitHub secrets, passed to the runs). */
  secrets: Record<string, string>;
  /** Secret values a leak scan must find nowhere in the output, and values public by design (compiled into an SPA). */
  secretValues: { secret: string[]; publicByDesign: string[] };
  scenarios: Scenario[];
}
