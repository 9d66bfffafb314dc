// The emulator's HTTP front: buffers the request, routes it to a service module, applies injected faults,
// records the request log, and serves the control API under /_emulator/.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Clock } from './clock.ts';
import { handleControl } from './control.ts';
import type { FaultInjector } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import { parseSigV4Scope, routeService, virtualHostBucket } from './routing.ts';
import type { EmuContext, EmulatorState, EmuRequest, EmuResponse, Realism, ServiceModule } from './types.ts';

export interface EmulatorRuntime {
  clock: Clock;
  state: EmulatorState;
  ctx: EmuContext;
  log: RequestLog;
  faults: FaultInjector;
  baseUrl: () => string;
  /** The realism switches this emulator starts with and returns to on reset. */
  defaultRealism: Realism;
}

const LOGGED_BODY_LIMIT = 4096;

function lowerHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** A generic 5xx in the service's protocol family, for fault injection and unexpected exceptions. */
export function internalError(service: string, message: string): EmuResponse {
  if (['ecs', 'ecr', 'logs', 'secretsmanager', 'ssm'].includes(service)) {
    return {
      status: 500,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ __type: 'ServerException', message }),
    };
  }
  if (service === 'registry') {
    return {
      status: 503,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message }] }),
    };
  }
  if (service === 's3') {
    return {
      status: 500,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>${message}</Message></Error>`,
    };
  }
  return {
    status: 500,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

async function send(res: http.ServerResponse, response: EmuResponse, requestId: string, method: string) {
  const headers: Record<string, string> = {
    'x-amzn-requestid': requestId,
    'x-amz-request-id': requestId,
    ...(response.headers ?? {}),
  };
  const body = response.body;
  if (body instanceof Readable) {
    res.writeHead(response.status, headers);
    if (method === 'HEAD') {
      res.end();
      return;
    }
    body.pipe(res);
    return;
  }
  const buf = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(buf.length);
  }
  res.writeHead(response.status, headers);
  res.end(method === 'HEAD' ? undefined : buf);
}

export function createServer(rt: EmulatorRuntime): http.Server {
  const server = http.createServer(async (req, res) => {
    const requestId = randomUUID();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const headers = lowerHeaders(req.headers);
      const body = await readBody(req);
      if (url.pathname.startsWith('/_emulator/') || url.pathname === '/_emulator') {
        await send(res, await handleControl(rt, req.method ?? 'GET', url, body), requestId, req.method ?? 'GET');
        return;
      }
      rt.clock.tick();
      const scope = parseSigV4Scope(headers.authorization, url.searchParams);
      let rawPath = url.pathname;
      const bucket = virtualHostBucket(headers.host);
      if (bucket && !rawPath.startsWith('/v2') && !headers['x-amz-target']) rawPath = `/${bucket}${rawPath}`;
      const serviceName = routeService({ path: rawPath, headers, scope, method: req.method ?? 'GET' });
      const module: ServiceModule | undefined = rt.state.services.get(serviceName);
      const emuReq: EmuRequest = {
        method: req.method ?? 'GET',
        path: safeDecode(rawPath),
        rawPath,
        query: url.searchParams,
        headers,
        body,
        ...(scope ? { signingService: scope.service } : {}),
        region: scope?.region || 'us-east-1',
        baseUrl: rt.baseUrl(),
        requestId,
      };
      const time = new Date().toISOString();
      const simulatedTime = new Date(rt.clock.now()).toISOString();
      if (!module) {
        await send(res, internalError(serviceName, `service ${serviceName} is not emulated`), requestId, emuReq.method);
        return;
      }
      let op: { operation: string; mutating: boolean };
      try {
        op = module.classify(emuReq);
      } catch {
        op = { operation: 'Unknown', mutating: false };
      }
      const entry = rt.log.add({
        service: module.name,
        operation: op.operation,
        path: emuReq.path,
        method: emuReq.method,
        mutating: op.mutating,
        status: 0,
        time,
        simulatedTime,
        ...(url.search ? { query: url.search.slice(1) } : {}),
        ...(serviceName !== 's3' && serviceName !== 'registry' && body.length > 0
          ? { body: body.subarray(0, LOGGED_BODY_LIMIT).toString('utf8') }
          : {}),
      });
      const fault = rt.faults.decide(module.name, op.operation);
      if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.kind === 'reset') {
        entry.fault = 'reset';
        entry.status = -1;
        req.socket.destroy();
        return;
      }
      let response: EmuResponse;
      if (fault.kind === 'throttle') {
        entry.fault = 'throttle';
        response = module.throttleError(emuReq);
      } else if (fault.kind === 'error') {
        entry.fault = 'error';
        response = internalError(module.name, 'We encountered an internal error. Please try again.');
      } else {
        try {
          response = await module.handle(emuReq, rt.ctx);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          process.stderr.write(
            `aws-emulator: ${module.name} ${op.operation} crashed: ${(err as Error)?.stack ?? message}\n`,
          );
          response = internalError(module.name, message);
        }
        if (fault.kind === 'after') {
          // The operation ran and its effect stays; the client never sees its response.
          entry.fault = 'after';
          entry.handledStatus = response.status;
          entry.applied = response.status < 400;
          if (response.body instanceof Readable) response.body.destroy();
          if (rt.faults.config.afterFailure !== 'error') {
            entry.status = -1;
            req.socket.destroy();
            return;
          }
          response = internalError(module.name, 'We encountered an internal error. Please try again.');
        }
      }
      entry.status = response.status;
      await send(res, response, requestId, emuReq.method);
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    }
  });
  // Tests open and close many clients; don't let idle keep-alive sockets hold stop() open.
  server.keepAliveTimeout = 5000;
  return server;
}

export function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
