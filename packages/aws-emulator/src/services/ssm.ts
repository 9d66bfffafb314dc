// AWS Systems Manager Parameter Store (awsJson1_1, X-Amz-Target AmazonSSM.*): PutParameter, GetParameter,
// GetParameters, DescribeParameters, DeleteParameter — what a deploy reads (task definition `secrets` that name
// parameters, a preflight checking they exist) and what tests seed. Parameters are addressed by name (`/app/db-url`
// or `db-url`), by ARN, and for reads with a `:version` selector. Behaviour and texts from the SSM API reference
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/) and the AWS CLI's output.
import type { EmuContext, EmuRequest, SeedFixture, ServiceModule } from '../types.ts';
import { AwsError, classifyJson, epochSeconds, handleJson, jsonError } from './ecs-wire.ts';

type ParameterType = 'String' | 'StringList' | 'SecureString';
const TYPES: ParameterType[] = ['String', 'StringList', 'SecureString'];

interface ParameterVersion {
  version: number;
  value: string;
  type: ParameterType;
  description?: string;
  keyId?: string;
  modified: number;
  labels: string[];
}

interface Parameter {
  name: string;
  region: string;
  tier: 'Standard' | 'Advanced';
  dataType: string;
  tags: Array<{ Key: string; Value: string }>;
  versions: ParameterVersion[];
}

/** The SSM module as ECS sees it: resolve a task definition's `valueFrom` to the current value. */
export interface SsmService extends ServiceModule {
  /** `name`, `/path/name` or `arn:aws:ssm:…:parameter/…` → the latest value (decrypted), or undefined. */
  parameterValue(ref: string): string | undefined;
  /** The name a reference resolves to (ARN → name), as GetParameters reports it in `InvalidParameters`. */
  parameterName(ref: string): string;
}

const MUTATING = new Set(['PutParameter', 'DeleteParameter', 'DeleteParameters', 'AddTagsToResource']);
const STANDARD_MAX_VALUE = 4096;
const ADVANCED_MAX_VALUE = 8192;

const validation = (message: string) => new AwsError('ValidationException', message);
// SSM's ParameterNotFound has no message (the AWS CLI prints "… GetParameter operation: " and nothing after).
const notFound = () => new AwsError('ParameterNotFound', '');

/** `arn:aws:ssm:us-east-1:123:parameter/app/db` → `/app/db`; `…:parameter/db` → `db`. */
function nameFromRef(ref: string): string {
  const m = /^arn:aws[\w-]*:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(ref);
  if (!m) return ref;
  const path = m[1] as string;
  // A hierarchical name keeps its leading slash in the ARN's resource (parameter/app/db); a flat one has none.
  return path.slice(1).includes('/') ? path : path.slice(1);
}

/** PutParameter name rules (API reference, PutParameter `Name`). */
function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.length > 2048) {
    throw validation(
      "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 2048",
    );
  }
  const path = name.startsWith('/') ? name.slice(1) : name;
  const segments = path.split('/');
  if (/^(aws|ssm)/i.test(path) || segments.some((s) => !/^[a-zA-Z0-9_.-]+$/.test(s))) {
    throw validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
    );
  }
  if (segments.length > 15) throw validation('Parameter name hierarchy can have a maximum of 15 levels.');
  if (name.includes('/') && !name.startsWith('/')) {
    throw validation('Parameter name must be a fully qualified name.');
  }
  return name;
}

export function createSsmService(): SsmService {
  const params = new Map<string, Parameter>();

  const arnOf = (p: Parameter, accountId: string) =>
    `arn:aws:ssm:${p.region}:${accountId}:parameter${p.name.startsWith('/') ? '' : '/'}${p.name}`;
  const latest = (p: Parameter) => p.versions[p.versions.length - 1] as ParameterVersion;
  /** What a SecureString read without WithDecryption returns: an opaque ciphertext, never the value. */
  const ciphertext = (p: Parameter, v: ParameterVersion) =>
    Buffer.from(`emulator-kms:${p.name}:${v.version}`).toString('base64');

  /** `name`, ARN, `name:3` (version) or `name:label` → the parameter and the selected version. */
  function select(ref: unknown): { p: Parameter; v: ParameterVersion; selector?: string } | undefined {
    if (typeof ref !== 'string' || ref === '') return undefined;
    let base = ref;
    let selector: string | undefined;
    const m = /^(.*[^:]):([^:/]+)$/.exec(ref);
    if (m && !ref.startsWith('arn:')) {
      base = m[1] as string;
      selector = m[2];
    } else if (ref.startsWith('arn:')) {
      const arnSel = /^(arn:aws[\w-]*:ssm:[^:]*:[^:]*:parameter\/[^:]+):([^:/]+)$/.exec(ref);
      if (arnSel) {
        base = arnSel[1] as string;
        selector = arnSel[2];
      }
    }
    const p = params.get(nameFromRef(base));
    if (!p) return undefined;
    if (selector === undefined) return { p, v: latest(p) };
    const v = /^\d+$/.test(selector)
      ? p.versions.find((x) => x.version === Number(selector))
      : p.versions.find((x) => x.labels.includes(selector as string));
    return v ? { p, v, selector: `:${selector}` } : undefined;
  }

  function shape(p: Parameter, v: ParameterVersion, decrypt: boolean, accountId: string, selector?: string) {
    return {
      Name: p.name,
      Type: v.type,
      Value: v.type === 'SecureString' && !decrypt ? ciphertext(p, v) : v.value,
      Version: v.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: epochSeconds(v.modified),
      ARN: arnOf(p, accountId),
      DataType: p.dataType,
    };
  }

  function metadata(p: Parameter, accountId: string) {
    const v = latest(p);
    return {
      Name: p.name,
      ARN: arnOf(p, accountId),
      Type: v.type,
      ...(v.keyId ? { KeyId: v.keyId } : {}),
      LastModifiedDate: epochSeconds(v.modified),
      LastModifiedUser: `arn:aws:sts::${accountId}:assumed-role/emulator-role/emulator-session`,
      ...(v.description !== undefined ? { Description: v.description } : {}),
      Version: v.version,
      Tier: p.tier,
      Policies: [],
      DataType: p.dataType,
    };
  }

  function put(body: Record<string, unknown>, region: string, now: number): { Version: number; Tier: string } {
    const name = checkName(body.Name);
    if (typeof body.Value !== 'string' || body.Value === '') {
      throw validation(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    const tier = body.Tier === 'Advanced' ? 'Advanced' : 'Standard';
    const max = tier === 'Advanced' ? ADVANCED_MAX_VALUE : STANDARD_MAX_VALUE;
    if (Buffer.byteLength(body.Value) > max) {
      throw validation(
        `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX_VALUE} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
      );
    }
    const type = body.Type as ParameterType | undefined;
    if (type !== undefined && !TYPES.includes(type)) {
      throw validation(
        `1 validation error detected: Value '${String(type)}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
      );
    }
    const tags = Array.isArray(body.Tags) ? (body.Tags as Array<{ Key: string; Value: string }>) : [];
    const existing = params.get(name);
    if (existing && body.Overwrite !== true) {
      throw new AwsError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    if (existing && tags.length > 0) {
      throw validation(
        "Tags and Overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    if (!existing && !type) throw validation('A parameter type is required when you create a parameter.');
    const previous = existing ? latest(existing) : undefined;
    const version: ParameterVersion = {
      version: (previous?.version ?? 0) + 1,
      value: body.Value,
      type: type ?? (previous?.type as ParameterType),
      ...(typeof body.Description === 'string'
        ? { description: body.Description }
        : previous?.description !== undefined
          ? { description: previous.description }
          : {}),
      ...((type ?? previous?.type) === 'SecureString'
        ? { keyId: typeof body.KeyId === 'string' ? body.KeyId : (previous?.keyId ?? 'alias/aws/ssm') }
        : {}),
      modified: now,
      labels: [],
    };
    const p: Parameter = existing ?? {
      name,
      region,
      tier,
      dataType: typeof body.DataType === 'string' ? body.DataType : 'text',
      tags,
      versions: [],
    };
    if (tier === 'Advanced') p.tier = 'Advanced';
    p.versions.push(version);
    params.set(name, p);
    return { Version: version.version, Tier: p.tier };
  }

  /** DescribeParameters ParameterFilters (Name, Type, Path, Tier, DataType) and the legacy Filters. */
  function matches(p: Parameter, filters: Array<{ Key?: string; Option?: string; Values?: string[] }>): boolean {
    return filters.every((f) => {
      const values = f.Values ?? [];
      const option = f.Option ?? 'Equals';
      const v = latest(p);
      switch (f.Key) {
        case 'Name': {
          const names = values.map((x) => nameFromRef(x));
          if (option === 'BeginsWith') return names.some((x) => p.name.startsWith(x));
          if (option === 'Contains') return names.some((x) => p.name.includes(x));
          // Equals: SSM matches `/a/b` and `a/b`-less forms the same way only for hierarchical names
          return names.some((x) => x === p.name || `/${x}` === p.name);
        }
        case 'Type':
          return values.includes(v.type);
        case 'KeyId':
          return v.keyId !== undefined && values.includes(v.keyId);
        case 'Tier':
          return values.includes(p.tier);
        case 'DataType':
          return values.includes(p.dataType);
        case 'Path': {
          const path = (values[0] ?? '/').replace(/\/?$/, '/');
          if (!p.name.startsWith(path)) return false;
          return option === 'Recursive' || !p.name.slice(path.length).includes('/');
        }
        default:
          if (f.Key?.startsWith('tag:')) {
            const tag = p.tags.find((t) => t.Key === f.Key?.slice(4));
            return tag !== undefined && (values.length === 0 || values.includes(tag.Value));
          }
          throw validation(
            `The following filter key is not valid: ${String(f.Key)}. Valid filter keys include: [Path, Name, Type, KeyId, Tier, DataType].`,
          );
      }
    });
  }

  function handleOp(op: string, body: Record<string, unknown>, req: EmuRequest, ctx: EmuContext): unknown {
    const now = ctx.clock.now();
    switch (op) {
      case 'PutParameter':
        return put(body, req.region, now);
      case 'GetParameter': {
        const found = select(body.Name);
        if (!found) throw notFound();
        return { Parameter: shape(found.p, found.v, body.WithDecryption === true, ctx.accountId, found.selector) };
      }
      case 'GetParameters': {
        const names = Array.isArray(body.Names) ? body.Names.map(String) : [];
        if (names.length < 1 || names.length > 10) {
          throw validation(
            `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length ${names.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
          );
        }
        const found: unknown[] = [];
        const invalid: string[] = [];
        for (const n of [...new Set(names)]) {
          const f = select(n);
          if (f) found.push(shape(f.p, f.v, body.WithDecryption === true, ctx.accountId, f.selector));
          else invalid.push(n);
        }
        return { Parameters: found, InvalidParameters: invalid };
      }
      case 'DescribeParameters': {
        const max = body.MaxResults === undefined ? 10 : Number(body.MaxResults);
        if (!Number.isInteger(max) || max < 1 || max > 50) {
          throw validation(
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
          );
        }
        const legacy = Array.isArray(body.Filters)
          ? (body.Filters as Array<{ Key?: string; Values?: string[] }>).map((f) => ({
              Key: f.Key,
              Option: f.Key === 'Name' ? 'BeginsWith' : 'Equals',
              Values: f.Values,
            }))
          : [];
        const filters = [...legacy, ...(Array.isArray(body.ParameterFilters) ? body.ParameterFilters : [])] as Array<{
          Key?: string;
          Option?: string;
          Values?: string[];
        }>;
        const list = [...params.values()].filter((p) => matches(p, filters)).sort((a, b) => (a.name < b.name ? -1 : 1));
        const start = typeof body.NextToken === 'string' ? Number(Buffer.from(body.NextToken, 'base64').toString()) : 0;
        if (!Number.isInteger(start) || start < 0)
          throw new AwsError('InvalidNextToken', 'The specified token is not valid.');
        const page = list.slice(start, start + max);
        return {
          Parameters: page.map((p) => metadata(p, ctx.accountId)),
          ...(start + max < list.length ? { NextToken: Buffer.from(String(start + max)).toString('base64') } : {}),
        };
      }
      case 'DeleteParameter': {
        const name = typeof body.Name === 'string' ? nameFromRef(body.Name) : '';
        if (!params.delete(name)) throw notFound();
        return {};
      }
      default:
        throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by this emulator.`);
    }
  }

  return {
    name: 'ssm',
    classify: (req) => classifyJson(req, MUTATING),
    handle: (req, ctx) => handleJson(req, (op, body) => handleOp(op, body, req, ctx)),
    reset() {
      params.clear();
    },
    seed(fixture: SeedFixture, ctx: EmuContext) {
      for (const raw of (fixture.parameters as unknown[] | undefined) ?? []) {
        const spec = raw as {
          name?: string;
          value?: unknown;
          type?: ParameterType;
          description?: string;
          region?: string;
          tier?: string;
        };
        if (!spec?.name) throw new Error('seed parameters[]: name is required');
        const value = typeof spec.value === 'string' ? spec.value : JSON.stringify(spec.value ?? '');
        try {
          put(
            {
              Name: spec.name,
              Value: value,
              Type: spec.type ?? 'String',
              Overwrite: true,
              ...(spec.description !== undefined ? { Description: spec.description } : {}),
              ...(spec.tier ? { Tier: spec.tier } : {}),
            },
            spec.region ?? 'us-east-1',
            ctx.clock.now(),
          );
        } catch (err) {
          throw new Error(`seed parameters[${spec.name}]: ${(err as Error).message}`);
        }
      }
    },
    throttleError() {
      return jsonError('ThrottlingException', 'Rate exceeded');
    },
    parameterValue(ref) {
      return select(ref)?.v.value;
    },
    parameterName(ref) {
      return nameFromRef(ref);
    },
  };
}
