// A small in-test GitHub REST server (node:http): the endpoints tag-release-deploy calls, answering with the status
// codes and shapes GitHub documents (create deployment 201 {id}, statuses 201, releases by tag 404/200, generate-notes
// 200 {name, body}, list tags paginated with a Link header, create release 201 / 422 already_exists, update 200).
// It records every request so tests can assert exactly what was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  body: any;
  authorization: string | undefined;
}

export interface FakeRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  prerelease: boolean;
  draft: boolean;
  make_latest?: string;
  html_url: string;
}

export interface FakeFailure {
  method: string;
  path: RegExp;
  status: number;
  message: string;
}

export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  requests: RecordedRequest[] = [];
  tags: string[] = [];
  releases: FakeRelease[] = [];
  deployments: Array<{ id: number; [k: string]: unknown }> = [];
  statuses: Array<{ deployment_id: number; [k: string]: unknown }> = [];
  failures: FakeFailure[] = [];
  private server: Server | undefined;
  private nextId = 1000;
  url = '';

  constructor(owner = 'acme', repo = 'shop') {
    this.owner = owner;
    this.repo = repo;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  reset(tags: string[] = []): void {
    this.requests = [];
    this.tags = tags;
    this.releases = [];
    this.deployments = [];
    this.statuses = [];
    this.failures = [];
    this.nextId = 1000;
  }

  /** `METHOD path` of every request, in order. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? JSON.parse(text) : undefined,
      authorization: req.headers.authorization,
    };
    this.requests.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const failure = this.failures.find((f) => f.method === record.method && f.path.test(record.path));
    if (failure) {
      send(failure.status, { message: failure.message, documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    const base = `/repos/${this.owner}/${this.repo}`;
    const p = record.path;
    const b = record.body ?? {};
    const htmlBase = `https://github.com/${this.owner}/${this.repo}`;

    if (record.method === 'GET' && p === `${base}/tags`) {
      const perPage = Number(record.query.per_page ?? 30);
      const page = Number(record.query.page ?? 1);
      const slice = this.tags.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < this.tags.length) {
        headers.link = `<${this.url}${base}/tags?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      }
      send(
        200,
        slice.map((name) => ({ name, commit: { sha: 'f'.repeat(40), url: '' }, zipball_url: '', tarball_url: '' })),
        headers,
      );
      return;
    }
    if (record.method === 'POST' && p === `${base}/deployments`) {
      const id = this.nextId++;
      const deployment = { id, ...b, url: `${this.url}${base}/deployments/${id}` };
      this.deployments.push(deployment);
      send(201, deployment);
      return;
    }
    const single = new RegExp(`^${base}/deployments/(\\d+)$`).exec(p);
    if (record.method === 'GET' && single) {
      const deployment = this.deployments.find((d) => d.id === Number(single[1]));
      if (deployment) send(200, deployment);
      else send(404, { message: 'Not Found' });
      return;
    }
    const status = new RegExp(`^${base}/deployments/(\\d+)/statuses$`).exec(p);
    if (record.method === 'POST' && status) {
      const id = Number(status[1]);
      if (!this.deployments.some((d) => d.id === id)) {
        send(404, { message: 'Not Found' });
        return;
      }
      const s = { id: this.nextId++, deployment_id: id, ...b };
      this.statuses.push(s);
      send(201, s);
      return;
    }
    const byTag = new RegExp(`^${base}/releases/tags/(.+)$`).exec(p);
    if (record.method === 'GET' && byTag) {
      const rel = this.releases.find((r) => r.tag_name === decodeURIComponent(byTag[1]!) && !r.draft);
      if (rel) send(200, rel);
      else send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    if (record.method === 'POST' && p === `${base}/releases/generate-notes`) {
      const prev = b.previous_tag_name ?? 'initial';
      send(200, {
        name: b.tag_name,
        body: `## What's Changed\n* Fix things by @dev in ${htmlBase}/pull/7\n\n**Full Changelog**: ${htmlBase}/compare/${prev}...${b.tag_name}`,
      });
      return;
    }
    if (record.method === 'POST' && p === `${base}/releases`) {
      if (this.releases.some((r) => r.tag_name === b.tag_name)) {
        send(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
        });
        return;
      }
      const id = this.nextId++;
      const rel: FakeRelease = {
        id,
        tag_name: b.tag_name,
        name: b.name ?? b.tag_name,
        body: b.body ?? '',
        prerelease: !!b.prerelease,
        draft: !!b.draft,
        make_latest: b.make_latest,
        html_url: `${htmlBase}/releases/tag/${b.tag_name}`,
      };
      this.releases.push(rel);
      send(201, rel);
      return;
    }
    const update = new RegExp(`^${base}/releases/(\\d+)$`).exec(p);
    if (record.method === 'PATCH' && update) {
      const rel = this.releases.find((r) => r.id === Number(update[1]));
      if (!rel) {
        send(404, { message: 'Not Found' });
        return;
      }
      Object.assign(rel, b);
      send(200, rel);
      return;
    }
    send(404, { message: `fake GitHub: no route for ${record.method} ${p}` });
  }
}
