// The preflight's data: what a task definition needs (requirements.ts, pure), what each read-only check found
// (Check), and the report one run produces. The engine: requirements (pure) → checks (read-only AWS and registry
// calls, before any mutating call) → report.ts (pure: failure, log lines, summary).

export type CheckKind =
  | 'limits'
  | 'image'
  | 'platform'
  | 'secret'
  | 'secret-key'
  | 'log-group'
  | 'execution-role'
  | 'task-role';

/** A problem a check found: what, about which container, and the fix. */
export interface Problem {
  check: CheckKind;
  /** The container it is about (absent for task-level problems). */
  container?: string;
  /** What was checked: an image, a secret reference, a log group, a role ARN, a task definition field. */
  subject: string;
  message: string;
  fix: string;
}

export type Outcome = 'ok' | 'failed' | 'skipped' | 'warning';

/** One check's result. `skipped`: the role may not run it (AccessDenied); `warning`: it could not be decided. */
export interface Check {
  check: CheckKind;
  container?: string;
  subject: string;
  outcome: Outcome;
  /** ok: what was found; failed: the problem; skipped / warning: why. */
  message: string;
  fix?: string;
}

/** An image as the preflight saw it (for the plan and the summary). */
export interface ImageFacts {
  container: string;
  image: string;
  /** The digest the reference resolves to now (the index's, for a multi-platform image). */
  digest?: string;
  /** `linux/amd64` for a single-platform image; every platform of an index. */
  platforms?: string[];
  multiPlatform?: boolean;
}

/** The platform a task runs on (runtimePlatform, default X86_64 / LINUX), as OCI names it. */
export interface Platform {
  os: string;
  architecture: string;
  /** How the task definition says it: `X86_64/LINUX (default)`. */
  label: string;
}

/** The preflight of one task definition. */
export interface TaskDefPreflight {
  /** `web:7`, or `web (new revision)` for a rendered one. */
  taskDefinition: string;
  /** The services that will run it. */
  services: string[];
  platform?: Platform;
  checks: Check[];
  images: ImageFacts[];
}

export interface PreflightReport {
  taskDefinitions: TaskDefPreflight[];
  /** Checks skipped for lack of permission, and other one-line notices. */
  notices: string[];
}

export interface PreflightOptions {
  /** Also read each Secrets Manager secret with a `:json-key::` and check the key is there (GetSecretValue). */
  verifySecretKeys: boolean;
}
