// Which service module a request belongs to, decided the way AWS endpoints would: the awsJson target header,
// the SigV4 credential scope, the CloudFront API path, the registry's /v2 path; everything else is S3.

const TARGET_PREFIXES: Array<[string, string]> = [
  ['AmazonEC2ContainerServiceV20141113.', 'ecs'],
  ['AmazonEC2ContainerRegistry_V20150921.', 'ecr'],
  ['Logs_20140328.', 'logs'],
  ['secretsmanager.', 'secretsmanager'],
  ['AmazonSSM.', 'ssm'],
];

export interface SigV4Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** Credential scope from the Authorization header or a presigned URL's X-Amz-Credential (not verified). */
export function parseSigV4Scope(authorization: string | undefined, query: URLSearchParams): SigV4Scope | undefined {
  const credential =
    /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? query.get('X-Amz-Credential') ?? undefined;
  if (!credential) return undefined;
  const [accessKeyId = '', , region = 'us-east-1', service = ''] = credential.split('/');
  return { accessKeyId, region, service };
}

/** `<bucket>.localhost[:port]` or `<bucket>.s3.localhost[:port]` → bucket name. */
export function virtualHostBucket(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const name = host.replace(/:\d+$/, '');
  const m = /^(.+?)\.(?:s3\.)?localhost$/.exec(name);
  if (!m || m[1] === 's3') return undefined;
  return m[1];
}

export function routeService(input: {
  path: string;
  headers: Record<string, string>;
  scope: SigV4Scope | undefined;
  /** HTTP method; when given, only an unsigned `POST /` form can be STS (an anonymous S3 PUT may carry a form type). */
  method?: string;
}): string {
  const { path, headers, scope, method } = input;
  if (path === '/v2' || path.startsWith('/v2/')) return 'registry';
  const target = headers['x-amz-target'];
  if (target) {
    for (const [prefix, service] of TARGET_PREFIXES) if (target.startsWith(prefix)) return service;
  }
  if (scope?.service === 'cloudfront' || path.startsWith('/2020-05-31/')) return 'cloudfront';
  const contentType = headers['content-type'] ?? '';
  if (scope && scope.service !== 's3' && contentType.startsWith('application/x-www-form-urlencoded')) {
    return scope.service; // query protocol: sts, elasticloadbalancing
  }
  if (scope && ['sts', 'elasticloadbalancing', 'iam'].includes(scope.service)) return scope.service;
  // AssumeRoleWithWebIdentity is sent unsigned (the web identity token is the credential): a form POST with no
  // SigV4 scope can only be STS.
  if (
    !scope &&
    contentType.startsWith('application/x-www-form-urlencoded') &&
    path === '/' &&
    (method === undefined || method === 'POST')
  ) {
    return 'sts';
  }
  return 's3';
}
