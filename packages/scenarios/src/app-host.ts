// The "app host": where the example apps' URLs point in local runs. The examples take their environment URLs from
// repository variables (`${{ vars.KAAPI_STAGING_API_URL }}/api/v1/utils/health/`); a local run sets them to
// http://127.0.0.1:<port>/<site>, and this server answers for the ECS service behind that site from the emulator's
// state, so a health check or a smoke test tells the truth: 200 with the running revision and image while the
// service's PRIMARY deployment runs healthy tasks, 503 while it crash-loops, failed or runs nothing, and what a
// scenario's "app behaviour" says for a release whose code is broken (the emulator runs no code: ECS only knows
// whether the task stays up, not what the app answers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Probe, ServiceView } from './probe.ts';

/** One ECS service behind a path prefix of a site (an ALB rule). */
export interface SiteRoute {
  /** Path prefix after the site (`/api/`), longest match wins; `/` for everything. */
  prefix: string;
  region: string;
  cluster: string;
  service: string;
}

export interface Site {
  /** First path segment of the URL: `http://127.0.0.1:<port>/<name>`. */
  name: string;
  routes: SiteRoute[];
}

/** What the app in an image answers, for a scenario whose release is broken in a way ECS cannot see. */
export interface AppBehavior {
  /** Glob over the running container image (`*` = any characters, as the emulator's behaviour rules). */
  image: string;
  /** Path prefixes that answer `status` (after the site and route). */
  paths: string[];
  status: number;
  body: string;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/**
 * The answer for one request to a service (pure). Healthy means: the service is ACTIVE, its PRIMARY deployment has
 * running tasks, has not FAILED and is not replacing failed tasks (a crash loop is a PRIMARY with failedTasks while
 * IN_PROGRESS). Otherwise 503 with the reason, like a load balancer without healthy targets.
 */
export function answer(service: ServiceView | undefined, path: string, behaviors: readonly AppBehavior[]): Answer {
  if (service?.status !== 'ACTIVE') {
    return { status: 503, body: { status: 'unavailable', reason: 'no active service' } };
  }
  const primary = service.primary;
  const base = { service: service.family, revision: service.revision };
  if (!primary) return { status: 503, body: { ...base, status: 'unavailable', reason: 'no PRIMARY deployment' } };
  if (primary.rolloutState === 'FAILED') {
    return { status: 503, body: { ...base, status: 'unavailable', reason: 'the PRIMARY deployment FAILED' } };
  }
  if ((primary.failedTasks ?? 0) > 0 && primary.rolloutState !== 'COMPLETED') {
    return {
      status: 503,
      body: { ...base, status: 'unavailable', reason: `tasks keep failing (${primary.failedTasks} failed)` },
    };
  }
  if ((primary.runningCount ?? 0) === 0) {
    return {
      status: 503,
      body: { ...base, status: 'unavailable', reason: `no running tasks (desired ${primary.desiredCount ?? 0})` },
    };
  }
  const images = service.containers.filter((c) => c.essential !== false).map((c) => c.image ?? '');
  for (const b of behaviors) {
    if (!images.some((i) => globToRegExp(b.image).test(i))) continue;
    if (b.paths.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`) || path.startsWith(`${p}?`))) {
      return { status: b.status, body: { ...base, status: 'error', error: b.body, path } };
    }
  }
  return {
    status: 200,
    body: {
      ...base,
      status: 'ok',
      path,
      image: images[0],
      ...(service.tags['deploy-actions:version'] ? { version: service.tags['deploy-actions:version'] } : {}),
    },
  };
}

/** The route of a site for a path after the site name: the longest matching prefix. */
export function routeFor(site: Site, path: string): SiteRoute | undefined {
  return [...site.routes]
    .sort((a, b) => b.prefix.length - a.prefix.length)
    .find((r) => path === r.prefix.replace(/\/$/, '') || path.startsWith(r.prefix));
}

export class AppHost {
  private server: Server | undefined;
  private readonly sites = new Map<string, Site>();
  private behaviors: AppBehavior[] = [];
  /** Requests answered, for the report and the assertions (`GET /site/path → status`). */
  readonly requests: string[] = [];
  url = '';

  constructor(private readonly probe: Probe) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', error: String(err) }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  addSite(site: Site): void {
    this.sites.set(site.name, site);
  }

  /** The base URL of a site (what the examples' repository variables hold). */
  site(name: string): string {
    return `${this.url}/${name}`;
  }

  addBehavior(b: AppBehavior): void {
    this.behaviors.push(b);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req); // drain a request body (smoke tests POST JSON)
    const url = new URL(req.url ?? '/', this.url);
    const [, name = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const site = this.sites.get(name);
    const route = site ? routeFor(site, path) : undefined;
    let a: Answer;
    if (!route) a = { status: 404, body: { status: 'error', error: `no site ${name} here` } };
    else a = answer(await this.probe.service(route.region, route.cluster, route.service), path, this.behaviors);
    this.requests.push(`${req.method} /${name}${path} → ${a.status}`);
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(a.body)}\n`);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
