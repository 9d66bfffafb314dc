// The stand-in GitHub REST API a run's steps reach through GITHUB_API_URL, plus the Actions OIDC token endpoint
// (ACTIONS_ID_TOKEN_REQUEST_URL, only given to jobs with `id-token: write`). Every REST request and response is
// checked against GitHub's OpenAPI description (openapi.ts); a mismatch answers 422 (request) or 500 (response)
// and is recorded as a violation that fails the run. Each job has its own token carrying its permissions.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Permissions } from '../jobs/permissions.ts';
import type { AppRepo } from '../repo/app-repo.ts';
import type { JobClaims, OidcIssuer } from '../standins/oidc-token.ts';
import { type ApiState, createHandlers, type Handler, REQUIRED_PERMISSION } from './handlers.ts';
import { OpenApi } from './openapi.ts';
import { basicError } from './shapes.ts';

export interface ApiCall {
  method: string;
  path: string;
  operationId?: string;
  status: number;
}

export interface GitHubApiOptions {
  repository: string;
  app: AppRepo;
  oidc: OidcIssuer;
  serverUrl?: string;
}

const RANK = { none: 0, read: 1, write: 2 } as const;
type Level = 'read' | 'write';

export class GitHubApi {
  readonly calls: ApiCall[] = [];
  readonly violations: string[] = [];
  readonly state: ApiState = { deployments: [], statuses: [], releases: [], comments: [], nextId: 1001 };
  /** Replace an operation's handler (tests: a handler that answers a shape GitHub never would). */
  readonly overrides = new Map<string, Handler>();
  private readonly tokens = new Map<string, Permissions>();
  private readonly oidcRequests = new Map<string, JobClaims>();
  private server: Server | undefined;
  private handlers: Record<string, Handler> | undefined;
  url = '';

  constructor(private readonly opts: GitHubApiOptions) {}

  /** A GITHUB_TOKEN for one job with its permissions. */
  issueToken(permissions: Permissions): string {
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, permissions);
    return token;
  }

  /** ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN for a job with id-token: write. */
  issueOidcRequest(claims: JobClaims): { url: string; token: string } {
    const token = randomBytes(24).toString('base64url');
    this.oidcRequests.set(token, claims);
    return { url: `${this.url}/_actions/oidc/token?api-version=2.0`, token };
  }

  async start(): Promise<void> {
    const [owner, repo] = this.opts.repository.split('/') as [string, string];
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        this.violations.push(`internal error: ${(err as Error).message}`);
        this.send(res, 500, basicError(`stand-in error: ${(err as Error).message}`, 500));
      });
    });
    await new Promise<void>((resolve) => (this.server as Server).listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}`;
    this.handlers = createHandlers(
      { api: this.url, server: this.opts.serverUrl ?? 'https://github.com', owner, repo },
      this.opts.app,
      this.state,
    );
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3' });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const record = (status: number, operationId?: string) =>
      this.calls.push({ method, path: url.pathname, status, ...(operationId ? { operationId } : {}) });

    if (url.pathname === '/_actions/oidc/token') return this.oidcToken(req, url, res, record);

    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const permissions = auth ? this.tokens.get(auth) : undefined;
    if (!permissions) {
      record(401);
      return this.send(res, 401, basicError('Bad credentials', 401));
    }
    const api = OpenApi.load();
    const op = api.match(method, url.pathname);
    if (!op) {
      const v = `${method} ${url.pathname}: no such operation in GitHub's REST API description`;
      this.violations.push(v);
      record(404);
      return this.send(res, 404, basicError(`Not Found (${v})`, 404));
    }
    const [owner, repo] = this.opts.repository.split('/');
    if (
      op.params.owner?.toLowerCase() !== owner?.toLowerCase() ||
      op.params.repo?.toLowerCase() !== repo?.toLowerCase()
    ) {
      record(404, op.operationId);
      return this.send(res, 404, basicError('Not Found', 404));
    }
    let body: unknown;
    const hasBody = raw.trim() !== '';
    if (hasBody) {
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${op.operationId}: request body is not JSON`);
        record(400, op.operationId);
        return this.send(res, 400, basicError('Problems parsing JSON', 400));
      }
    }
    const problems = api.validateRequest(op, url.searchParams, body, hasBody);
    if (problems.length) {
      const v = `${op.operationId} request does not match GitHub's OpenAPI description: ${problems.join('; ')}`;
      this.violations.push(v);
      record(422, op.operationId);
      return this.send(res, 422, { message: v, documentation_url: 'https://docs.github.com/rest' });
    }
    const required = REQUIRED_PERMISSION[op.operationId];
    const needs =
      required === undefined
        ? []
        : Array.isArray(required[0])
          ? (required as [string, Level][])
          : [required as [string, Level]];
    if (needs.length && !needs.some(([scope, level]) => RANK[permissions[scope] ?? 'none'] >= RANK[level])) {
      const has = needs.map(([scope]) => `${scope}: ${permissions[scope] ?? 'none'}`).join(', ');
      const want = needs.map(([scope, level]) => `${scope}: ${level}`).join(' or ');
      record(403, op.operationId);
      return this.send(res, 403, {
        message: `Resource not accessible by integration (the job's token has ${has}, ${op.operationId} needs ${want})`,
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const handler = this.overrides.get(op.operationId) ?? this.handlers?.[op.operationId];
    if (!handler) {
      const v = `${op.operationId} (${method} ${op.template}) is not implemented by the stand-in GitHub API`;
      this.violations.push(v);
      record(501, op.operationId);
      return this.send(res, 501, basicError(v, 501));
    }
    const out = handler({ params: op.params, query: url.searchParams, body: (body ?? {}) as Record<string, unknown> });
    const resProblems = api.validateResponse(op, out.status, out.body);
    if (resProblems.length) {
      const v = `${op.operationId} response does not match GitHub's OpenAPI description: ${resProblems.join('; ')}`;
      this.violations.push(v);
      record(500, op.operationId);
      return this.send(res, 500, basicError(v, 500));
    }
    record(out.status, op.operationId);
    this.send(res, out.status, out.body);
  }

  private oidcToken(
    req: IncomingMessage,
    url: URL,
    res: ServerResponse,
    record: (status: number, operationId?: string) => void,
  ): void {
    const bearer = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const claims = bearer ? this.oidcRequests.get(bearer) : undefined;
    if (!claims) {
      record(401, 'oidc-token');
      this.send(res, 401, { message: 'invalid ACTIONS_ID_TOKEN_REQUEST_TOKEN' });
      return;
    }
    const audience = url.searchParams.get('audience') || `https://github.com/${claims.repository.split('/')[0]}`;
    record(200, 'oidc-token');
    this.send(res, 200, { value: this.opts.oidc.mint(claims, audience) });
  }
}
