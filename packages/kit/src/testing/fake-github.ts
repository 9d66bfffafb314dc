import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for the three GitHub REST endpoints of pull-request comments (list with pagination, create,
// update), shaped as GitHub answers them, for tests of plan-mode comments. Every request is recorded.

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
}

export interface FakeGitHub {
  url: string;
  /** Comments by pull request number, oldest first. */
  comments: Map<number, FakeComment[]>;
  requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  /** Answer every request with this status (e.g. 403, a read-only token) until cleared with undefined. */
  failWith(status: number | undefined): void;
  stop(): Promise<void>;
}

export async function startFakeGitHub(options: { perPage?: number } = {}): Promise<FakeGitHub> {
  const comments = new Map<number, FakeComment[]>();
  const requests: FakeGitHub['requests'] = [];
  let nextId = 1000;
  let failure: number | undefined;
  const send = (res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(data));
  };
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (d) => {
      raw += d;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        authorization: req.headers.authorization,
      });
      if (failure !== undefined) {
        send(res, failure, { message: 'Resource not accessible by integration', status: String(failure) });
        return;
      }
      const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
      const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
      const body = raw ? (JSON.parse(raw) as { body?: string }) : {};
      if (list && req.method === 'GET') {
        const all = comments.get(Number(list[3])) ?? [];
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.perPage ?? 100);
        const page = Number(url.searchParams.get('page') ?? 1);
        const items = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = new URL(url);
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${fakeUrl(req, next)}>; rel="next"`;
        }
        send(res, 200, items, headers);
      } else if (list && req.method === 'POST' && typeof body.body === 'string') {
        const n = Number(list[3]);
        const comment: FakeComment = {
          id: nextId++,
          body: body.body,
          html_url: `https://github.com/${list[1]}/${list[2]}/pull/${n}#issuecomment-${nextId - 1}`,
          user: { login: 'github-actions[bot]', type: 'Bot' },
        };
        comments.set(n, [...(comments.get(n) ?? []), comment]);
        send(res, 201, comment);
      } else if (one && req.method === 'PATCH' && typeof body.body === 'string') {
        const comment = [...comments.values()].flat().find((c) => c.id === Number(one[3]));
        if (!comment) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        comment.body = body.body;
        send(res, 200, comment);
      } else {
        send(res, 404, { message: 'Not Found' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    comments,
    requests,
    failWith: (status) => {
      failure = status;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function fakeUrl(req: IncomingMessage, url: URL): string {
  return `http://${req.headers.host}${url.pathname}${url.search}`;
}
