// Secrets Manager (awsJson1_1, X-Amz-Target secretsmanager.*): CreateSecret, DescribeSecret, GetSecretValue,
// PutSecretValue, ListSecrets. Secrets are addressed by name, full ARN or partial ARN (without the 6-char suffix).
import { randomUUID } from 'node:crypto';
import type { EmuContext, EmuRequest, SeedFixture, ServiceModule } from '../types.ts';
import { AwsError, classifyJson, epochSeconds, handleJson, jsonError, paginate, randomAlnum } from './ecs-wire.ts';

interface SecretVersion {
  id: string;
  secretString?: string;
  secretBinary?: string;
  stages: string[];
  created: number;
}

interface Secret {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  created: number;
  lastChanged: number;
  versions: SecretVersion[];
  tags: Array<{ Key: string; Value: string }>;
}

export interface SecretsManagerService extends ServiceModule {
  /** The AWSCURRENT SecretString of a secret (by name or ARN), or undefined. Used by ECS. */
  currentSecretString(id: string): string | undefined;
  /** GetSecretValue as ECS calls it at task start: the value, or the ResourceNotFoundException message. */
  resolveValue(
    id: string,
    versionStage?: string,
    versionId?: string,
  ): { ok: true; value: string } | { ok: false; message: string };
}

const MUTATING = new Set([
  'CreateSecret',
  'PutSecretValue',
  'UpdateSecret',
  'DeleteSecret',
  'TagResource',
  'UntagResource',
]);
const NOT_FOUND = "Secrets Manager can't find the specified secret.";

/** Whether a request carries the same SecretString / SecretBinary as an existing version. */
function sameValue(version: SecretVersion, body: Record<string, unknown>): boolean {
  const str = body.SecretString === undefined ? undefined : String(body.SecretString);
  const bin = body.SecretBinary === undefined ? undefined : String(body.SecretBinary);
  return version.secretString === str && version.secretBinary === bin;
}

export function createSecretsManagerService(): SecretsManagerService {
  const secrets = new Map<string, Secret>();

  function find(id: unknown): Secret | undefined {
    if (typeof id !== 'string' || id === '') return undefined;
    const byName = secrets.get(id);
    if (byName) return byName;
    for (const s of secrets.values()) {
      if (s.arn === id) return s;
      // partial ARN: arn:...:secret:name (without -XXXXXX)
      if (id.startsWith('arn:') && s.arn.slice(0, -7) === id) return s;
    }
    return undefined;
  }

  function mustFind(id: unknown): Secret {
    const s = find(id);
    if (!s) throw new AwsError('ResourceNotFoundException', NOT_FOUND);
    return s;
  }

  function create(
    spec: {
      name: string;
      secretString?: string;
      secretBinary?: string;
      description?: string;
      kmsKeyId?: string;
      tags?: Array<{ Key: string; Value: string }>;
      versionId?: string;
      /** The 6 characters after the name in the ARN (random unless seeded with one). */
      arnSuffix?: string;
    },
    region: string,
    accountId: string,
    now: number,
  ): Secret {
    const s: Secret = {
      arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${spec.name}-${spec.arnSuffix ?? randomAlnum(6)}`,
      name: spec.name,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.kmsKeyId !== undefined ? { kmsKeyId: spec.kmsKeyId } : {}),
      created: now,
      lastChanged: now,
      versions: [],
      tags: spec.tags ?? [],
    };
    if (spec.secretString !== undefined || spec.secretBinary !== undefined) {
      s.versions.push({
        id: spec.versionId ?? randomUUID(),
        ...(spec.secretString !== undefined ? { secretString: spec.secretString } : {}),
        ...(spec.secretBinary !== undefined ? { secretBinary: spec.secretBinary } : {}),
        stages: ['AWSCURRENT'],
        created: now,
      });
    }
    secrets.set(s.name, s);
    return s;
  }

  function describe(s: Secret) {
    const stages: Record<string, string[]> = {};
    for (const v of s.versions) if (v.stages.length > 0) stages[v.id] = v.stages;
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.description !== undefined ? { Description: s.description } : {}),
      ...(s.kmsKeyId !== undefined ? { KmsKeyId: s.kmsKeyId } : {}),
      LastChangedDate: epochSeconds(s.lastChanged),
      CreatedDate: epochSeconds(s.created),
      ...(s.tags.length > 0 ? { Tags: s.tags } : {}),
      VersionIdsToStages: stages,
    };
  }

  function handleOp(op: string, body: Record<string, unknown>, req: EmuRequest, ctx: EmuContext): unknown {
    const now = ctx.clock.now();
    switch (op) {
      case 'CreateSecret': {
        const name = body.Name as string;
        if (typeof name !== 'string' || !/^[\w/+=.@-]{1,512}$/.test(name)) {
          throw new AwsError(
            'InvalidParameterException',
            'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
          );
        }
        const existing = secrets.get(name);
        if (existing) {
          // A retry with the same ClientRequestToken (the SDKs fill one in) and the same value is ignored: the
          // CreateSecret API reference, ClientRequestToken ("If a version with this value already exists and the
          // version SecretString and SecretBinary values are the same as those in the request, then the request
          // is ignored").
          const version =
            typeof body.ClientRequestToken === 'string'
              ? existing.versions.find((v) => v.id === body.ClientRequestToken)
              : undefined;
          if (version && sameValue(version, body))
            return { ARN: existing.arn, Name: existing.name, VersionId: version.id };
          throw new AwsError(
            'ResourceExistsException',
            `The operation failed because the secret ${name} already exists.`,
          );
        }
        if (body.SecretString !== undefined && body.SecretBinary !== undefined) {
          throw new AwsError(
            'InvalidParameterException',
            "You can't specify both a binary secret value and a string secret value in the same secret.",
          );
        }
        const s = create(
          {
            name,
            ...(body.SecretString !== undefined ? { secretString: String(body.SecretString) } : {}),
            ...(body.SecretBinary !== undefined ? { secretBinary: String(body.SecretBinary) } : {}),
            ...(body.Description !== undefined ? { description: String(body.Description) } : {}),
            ...(body.KmsKeyId !== undefined ? { kmsKeyId: String(body.KmsKeyId) } : {}),
            ...(Array.isArray(body.Tags) ? { tags: body.Tags as Array<{ Key: string; Value: string }> } : {}),
            ...(typeof body.ClientRequestToken === 'string' ? { versionId: body.ClientRequestToken } : {}),
          },
          req.region,
          ctx.accountId,
          now,
        );
        const v = s.versions[0];
        return { ARN: s.arn, Name: s.name, ...(v ? { VersionId: v.id } : {}) };
      }
      case 'DescribeSecret':
        return describe(mustFind(body.SecretId));
      case 'GetSecretValue': {
        const s = mustFind(body.SecretId);
        const versionId = body.VersionId as string | undefined;
        const stage = (body.VersionStage as string | undefined) ?? (versionId ? undefined : 'AWSCURRENT');
        const v = s.versions.find((x) => (!versionId || x.id === versionId) && (!stage || x.stages.includes(stage)));
        if (!v) {
          throw new AwsError(
            'ResourceNotFoundException',
            versionId || body.VersionStage
              ? "Secrets Manager can't find the specified secret value for VersionId or staging label."
              : "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
          );
        }
        return {
          ARN: s.arn,
          Name: s.name,
          VersionId: v.id,
          ...(v.secretString !== undefined ? { SecretString: v.secretString } : {}),
          ...(v.secretBinary !== undefined ? { SecretBinary: v.secretBinary } : {}),
          VersionStages: v.stages,
          CreatedDate: epochSeconds(v.created),
        };
      }
      case 'PutSecretValue': {
        const s = mustFind(body.SecretId);
        const id = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : randomUUID();
        const existing = s.versions.find((v) => v.id === id);
        if (existing) {
          if (!sameValue(existing, body)) {
            throw new AwsError(
              'ResourceExistsException',
              "You can't modify an existing version, you can only create new versions.",
            );
          }
          return { ARN: s.arn, Name: s.name, VersionId: id, VersionStages: existing.stages };
        }
        for (const v of s.versions) {
          if (v.stages.includes('AWSCURRENT')) v.stages = ['AWSPREVIOUS'];
          else v.stages = v.stages.filter((x) => x !== 'AWSPREVIOUS');
        }
        s.versions.push({
          id,
          ...(body.SecretString !== undefined ? { secretString: String(body.SecretString) } : {}),
          ...(body.SecretBinary !== undefined ? { secretBinary: String(body.SecretBinary) } : {}),
          stages: ['AWSCURRENT'],
          created: now,
        });
        s.lastChanged = now;
        return { ARN: s.arn, Name: s.name, VersionId: id, VersionStages: ['AWSCURRENT'] };
      }
      case 'ListSecrets': {
        const list = [...secrets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
        const max = body.MaxResults === undefined ? 100 : Math.max(1, Math.min(100, Number(body.MaxResults)));
        const { page, nextToken } = paginate(list, body.NextToken, max);
        return { SecretList: page.map(describe), ...(nextToken ? { NextToken: nextToken } : {}) };
      }
      default:
        throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by this emulator.`);
    }
  }

  return {
    name: 'secretsmanager',
    classify: (req) => classifyJson(req, MUTATING),
    handle: (req, ctx) => handleJson(req, (op, body) => handleOp(op, body, req, ctx)),
    reset() {
      secrets.clear();
    },
    seed(fixture: SeedFixture, ctx: EmuContext) {
      for (const raw of fixture.secrets ?? []) {
        const spec = raw as {
          name?: string;
          Name?: string;
          secretString?: string;
          value?: unknown;
          description?: string;
          region?: string;
          tags?: Array<{ Key: string; Value: string }>;
          /** The ARN's 6-character suffix, so a task definition's full ARN (`…:secret:app-AbCdEf`) names it. */
          arnSuffix?: string;
        };
        const name = spec.name ?? spec.Name;
        if (!name) throw new Error('seed secrets[]: name is required');
        if (spec.arnSuffix !== undefined && !/^[A-Za-z0-9]{6}$/.test(spec.arnSuffix)) {
          throw new Error(`seed secrets[] ${name}: arnSuffix must be 6 letters or digits, got ${spec.arnSuffix}`);
        }
        const secretString =
          spec.secretString ??
          (spec.value === undefined
            ? undefined
            : typeof spec.value === 'string'
              ? spec.value
              : JSON.stringify(spec.value));
        secrets.delete(name);
        create(
          {
            name,
            ...(secretString !== undefined ? { secretString } : {}),
            ...(spec.description !== undefined ? { description: spec.description } : {}),
            ...(spec.tags ? { tags: spec.tags } : {}),
            ...(spec.arnSuffix !== undefined ? { arnSuffix: spec.arnSuffix } : {}),
          },
          spec.region ?? 'us-east-1',
          ctx.accountId,
          ctx.clock.now(),
        );
      }
    },
    throttleError() {
      return jsonError('ThrottlingException', 'Rate exceeded');
    },
    currentSecretString(id) {
      return find(id)?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.secretString;
    },
    resolveValue(id, versionStage, versionId) {
      const s = find(id);
      if (!s) return { ok: false, message: NOT_FOUND };
      const stage = versionStage ?? (versionId ? undefined : 'AWSCURRENT');
      const v = s.versions.find((x) => (!versionId || x.id === versionId) && (!stage || x.stages.includes(stage)));
      if (!v) {
        return {
          ok: false,
          message:
            versionId || versionStage
              ? "Secrets Manager can't find the specified secret value for VersionId or staging label."
              : "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        };
      }
      return { ok: true, value: v.secretString ?? Buffer.from(v.secretBinary ?? '', 'base64').toString('utf8') };
    },
  };
}
