// The control API under /_emulator/. Its shape is fixed (tests, the demo and outside checks depend on it):
//   POST /_emulator/reset | /seed | /faults | /time {"advanceSeconds":N} | /behaviors ; GET /_emulator/requests
// Extensions: GET /_emulator/health, GET /_emulator/time, DELETE /_emulator/requests, DELETE /_emulator/behaviors,
// GET|POST /_emulator/realism, GET /_emulator/issued-credentials (every registry password and STS secret handed
// out since the process started, for leak scans).
import { parseFaultConfig } from './faults.ts';
import { parseRealism } from './realism.ts';
import type { EmulatorRuntime } from './server.ts';
import type { BehaviorRule, EmuResponse, SeedFixture, ServiceBehavior } from './types.ts';

const SERVICE_BEHAVIORS: ServiceBehavior[] = [
  'healthy',
  'crashloop',
  'pullError',
  'missingSecret',
  'unhealthy',
  'slowStart',
];

function json(status: number, value: unknown): EmuResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  return JSON.parse(body.toString('utf8'));
}

export function parseBehavior(raw: unknown): BehaviorRule {
  const r = raw as Record<string, unknown>;
  if (!r || typeof r.image !== 'string' || r.image === '')
    throw new Error('behavior needs "image" (a glob on the image)');
  if (r.service === undefined && r.run === undefined) throw new Error('behavior needs "service" or "run"');
  if (r.service !== undefined && !SERVICE_BEHAVIORS.includes(r.service as ServiceBehavior)) {
    throw new Error(`behavior "service" must be one of ${SERVICE_BEHAVIORS.join(', ')}`);
  }
  const rule: BehaviorRule = { image: r.image };
  if (r.service !== undefined) rule.service = r.service as ServiceBehavior;
  if (r.run !== undefined) {
    const run = r.run as Record<string, unknown>;
    if (run.logs !== undefined && (!Array.isArray(run.logs) || run.logs.some((l) => typeof l !== 'string'))) {
      throw new Error('behavior run.logs must be an array of strings');
    }
    rule.run = {
      ...(run.logs !== undefined ? { logs: run.logs as string[] } : {}),
      ...(run.exitCode !== undefined ? { exitCode: Number(run.exitCode) } : {}),
      ...(run.durationSeconds !== undefined ? { durationSeconds: Number(run.durationSeconds) } : {}),
      ...(typeof run.failure === 'string' ? { failure: run.failure } : {}),
    };
  }
  return rule;
}

export async function handleControl(rt: EmulatorRuntime, method: string, url: URL, body: Buffer): Promise<EmuResponse> {
  const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /_emulator/health':
        return json(200, { ok: true, services: [...rt.state.services.keys()] });
      case 'POST /_emulator/reset':
        for (const s of rt.state.services.values()) s.reset();
        rt.state.behaviors.length = 0;
        rt.faults.configure({ seed: 1, throttle: 0, error: 0, latencyMs: [0, 0], reset: 0 });
        rt.state.realism = { ...rt.defaultRealism };
        rt.log.clear();
        return json(200, { ok: true });
      case 'POST /_emulator/seed': {
        const fixture = parseJson(body) as SeedFixture;
        for (const s of rt.state.services.values()) await s.seed?.(fixture, rt.ctx);
        return json(200, { ok: true });
      }
      case 'GET /_emulator/requests':
        return json(200, rt.log.list());
      case 'DELETE /_emulator/requests':
        rt.log.clear();
        return json(200, { ok: true });
      case 'POST /_emulator/faults':
        rt.faults.configure(parseFaultConfig(parseJson(body)));
        return json(200, rt.faults.config);
      case 'GET /_emulator/time':
        return json(200, {
          now: new Date(rt.clock.now()).toISOString(),
          nowMs: rt.clock.now(),
          timeScale: rt.clock.timeScale,
        });
      case 'POST /_emulator/time': {
        const b = parseJson(body) as { advanceSeconds?: unknown };
        const seconds = Number(b.advanceSeconds);
        if (!Number.isFinite(seconds) || seconds < 0) throw new Error('advanceSeconds must be a non-negative number');
        rt.clock.advance(seconds);
        return json(200, { now: new Date(rt.clock.now()).toISOString(), nowMs: rt.clock.now() });
      }
      case 'GET /_emulator/behaviors':
        return json(200, rt.state.behaviors);
      case 'POST /_emulator/behaviors': {
        const raw = parseJson(body);
        const rules = (Array.isArray(raw) ? raw : [raw]).map(parseBehavior);
        rt.state.behaviors.push(...rules);
        return json(200, rt.state.behaviors);
      }
      case 'GET /_emulator/issued-credentials':
        return json(200, [...rt.state.issuedCredentials]);
      case 'GET /_emulator/realism':
        return json(200, rt.state.realism);
      case 'POST /_emulator/realism':
        rt.state.realism = parseRealism(parseJson(body), rt.state.realism);
        return json(200, rt.state.realism);
      case 'DELETE /_emulator/behaviors':
        rt.state.behaviors.length = 0;
        return json(200, { ok: true });
      default:
        return json(404, { error: `unknown control call ${route}` });
    }
  } catch (err) {
    return json(400, { error: err instanceof Error ? err.message : String(err) });
  }
}
