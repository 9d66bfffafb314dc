// GitHub's own REST description (npm @octokit/openapi, api.github.com.json, OpenAPI 3.0) as the contract of the
// stand-in API: each request is matched to its operation by method and path template, its path/query parameters
// and JSON body are validated before a handler runs, and every response (status and body) is validated before it
// is sent. A mismatch either way is a violation: the stand-in cannot drift from the real shapes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: object;
}

interface Operation {
  operationId: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema: object }> } | { $ref: string };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }>;
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter>; responses: Record<string, object>; requestBodies?: object };
}

export interface MatchedOperation {
  operationId: string;
  method: string;
  template: string;
  params: Record<string, string>;
}

let cached: OpenApi | undefined;

/**
 * OpenAPI 3.0 allows `nullable: true` beside `allOf`/`anyOf` without a `type`; Ajv's nullable keyword needs one.
 * Same meaning, written as JSON Schema: anyOf [the schema, null].
 */
function nullableWithoutType(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableWithoutType);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableWithoutType(v);
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _, description, ...rest } = out;
    return { ...(description !== undefined ? { description } : {}), anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

export class OpenApi {
  private readonly spec: Spec;
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ method: string; template: string; re: RegExp; names: string[] }> = [];

  static load(): OpenApi {
    cached ??= new OpenApi();
    return cached;
  }

  private constructor() {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    this.spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ components: nullableWithoutType(this.spec.components) }, 'gh');
    for (const [template, ops] of Object.entries(this.spec.paths)) {
      const names: string[] = [];
      const re = new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n: string) => {
          names.push(n);
          // git refs (`tags/v1.0.0`), compare ranges and content paths may contain slashes
          return n === 'ref' || n === 'basehead' || n === 'path' ? '(.+)' : '([^/]+)';
        })}$`,
      );
      for (const method of Object.keys(ops)) this.routes.push({ method: method.toUpperCase(), template, re, names });
    }
    // Literal segments beat parameters (`/releases/latest` before `/releases/{release_id}`).
    this.routes.sort(
      (a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length,
    );
  }

  match(method: string, path: string): MatchedOperation | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1] as string);
      });
      const op = this.operation(r.template, method);
      return { operationId: op.operationId, method, template: r.template, params };
    }
    return undefined;
  }

  private operation(template: string, method: string): Operation {
    return (this.spec.paths[template] as Record<string, Operation>)[method.toLowerCase()] as Operation;
  }

  private compile(key: string, schema: object): ValidateFunction {
    let v = this.validators.get(key);
    if (!v) {
      const fixed = nullableWithoutType(
        JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"gh#/components/')),
      ) as object;
      v = this.ajv.compile(fixed);
      this.validators.set(key, v);
    }
    return v;
  }

  private errorsOf(v: ValidateFunction): string {
    return (v.errors ?? [])
      .slice(0, 5)
      .map(
        (e) =>
          `${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`,
      )
      .join('; ');
  }

  private parameters(op: Operation): Parameter[] {
    return (op.parameters ?? []).map((p) =>
      '$ref' in p ? (this.spec.components.parameters[p.$ref.split('/').pop() as string] as Parameter) : p,
    );
  }

  /** Problems with a request (empty = it matches the description). */
  validateRequest(m: MatchedOperation, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
    const op = this.operation(m.template, m.method);
    const problems: string[] = [];
    for (const p of this.parameters(op)) {
      if (p.in === 'header') continue;
      const raw = p.in === 'path' ? m.params[p.name] : (query.get(p.name) ?? undefined);
      if (raw === undefined) {
        if (p.required) problems.push(`missing ${p.in} parameter ${p.name}`);
        continue;
      }
      if (!p.schema) continue;
      const type = (p.schema as { type?: string }).type;
      const value = type === 'integer' || type === 'number' ? Number(raw) : type === 'boolean' ? raw === 'true' : raw;
      const v = this.compile(`${op.operationId}:param:${p.name}`, p.schema);
      if (!v(value)) problems.push(`${p.in} parameter ${p.name}=${raw}: ${this.errorsOf(v)}`);
    }
    const known = new Set(
      this.parameters(op)
        .filter((p) => p.in === 'query')
        .map((p) => p.name),
    );
    for (const k of query.keys()) if (!known.has(k)) problems.push(`unknown query parameter ${k}`);
    let rb = op.requestBody;
    if (rb && '$ref' in rb)
      rb = (this.spec.components.requestBodies as Record<string, typeof rb>)[rb.$ref.split('/').pop() as string];
    const schema = rb && !('$ref' in rb) ? rb.content?.['application/json']?.schema : undefined;
    if (!hasBody) {
      if (rb && !('$ref' in rb) && rb.required) problems.push('missing JSON request body');
    } else if (!schema) {
      if (body !== undefined && !(typeof body === 'object' && body && Object.keys(body).length === 0)) {
        problems.push('the operation takes no request body');
      }
    } else {
      const v = this.compile(`${op.operationId}:body`, schema);
      if (!v(body)) problems.push(`request body: ${this.errorsOf(v)}`);
    }
    return problems;
  }

  /** Problems with a response (empty = documented status and a body matching its schema). */
  validateResponse(m: MatchedOperation, status: number, body: unknown): string[] {
    const op = this.operation(m.template, m.method);
    let res = op.responses[String(status)];
    if (!res)
      return [`status ${status} is not a documented response (documented: ${Object.keys(op.responses).join(', ')})`];
    if (res.$ref) res = this.spec.components.responses[res.$ref.split('/').pop() as string] as typeof res;
    const schema = res.content?.['application/json']?.schema;
    if (!schema) return body === undefined || body === '' ? [] : [`status ${status} has no documented body`];
    const v = this.compile(`${op.operationId}:${status}`, schema);
    return v(body) ? [] : [`response ${status} body: ${this.errorsOf(v)}`];
  }
}
