import { asRecord, type Finding } from './types';

const SECRET_NAME = /(PASSWORD|SECRET|SECRET_KEY|TOKEN|API_KEY|PRIVATE_KEY|DSN)$/;
const SECRET_ARN =
  /^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[^:]+(:[^:]*:[^:]*:[^:]*)?|ssm:[a-z0-9-]+:\d{12}:parameter\/.+)$/;

/**
 * What a Fargate task definition template in examples/ must have: FARGATE + awsvpc + task cpu/memory, both roles,
 * awslogs on every container, secrets only as Secrets Manager / SSM ARNs (JSON keys as `…:secret:name-AbCdEf:KEY::`),
 * no secret-looking names among plain environment variables, and a health check on every container that serves a port.
 */
export function checkTaskDefinition(td: unknown, file: string): Finding[] {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ rule: 'task-definition', file, where, message });
  const t = asRecord(td);
  if (typeof t.family !== 'string' || !t.family) add('family', 'missing');
  if (!Array.isArray(t.requiresCompatibilities) || !t.requiresCompatibilities.includes('FARGATE'))
    add('requiresCompatibilities', 'must include FARGATE');
  if (t.networkMode !== 'awsvpc') add('networkMode', 'Fargate needs awsvpc');
  if (typeof t.cpu !== 'string' || typeof t.memory !== 'string')
    add('cpu/memory', 'task-level cpu and memory are required on Fargate (strings)');
  for (const key of ['executionRoleArn', 'taskRoleArn']) {
    if (typeof t[key] !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(t[key] as string))
      add(key, 'must be an IAM role ARN');
  }
  const containers = Array.isArray(t.containerDefinitions) ? t.containerDefinitions.map(asRecord) : [];
  if (!containers.length) add('containerDefinitions', 'no containers');
  for (const c of containers) {
    const where = `containerDefinitions[${String(c.name)}]`;
    const log = asRecord(c.logConfiguration);
    const opts = asRecord(log.options);
    if (
      log.logDriver !== 'awslogs' ||
      !opts['awslogs-group'] ||
      !opts['awslogs-region'] ||
      !opts['awslogs-stream-prefix']
    ) {
      add(
        where,
        'needs awslogs with awslogs-group, awslogs-region and awslogs-stream-prefix (the actions read logs from it)',
      );
    }
    for (const s of Array.isArray(c.secrets) ? c.secrets.map(asRecord) : []) {
      if (typeof s.valueFrom !== 'string' || !SECRET_ARN.test(s.valueFrom)) {
        add(
          `${where}.secrets[${String(s.name)}]`,
          `valueFrom must be a Secrets Manager or SSM parameter ARN, got ${String(s.valueFrom)}`,
        );
      }
    }
    for (const e of Array.isArray(c.environment) ? c.environment.map(asRecord) : []) {
      if (typeof e.name === 'string' && SECRET_NAME.test(e.name)) {
        add(
          `${where}.environment[${e.name}]`,
          'looks like a secret: inject it from Secrets Manager (secrets), not environment',
        );
      }
    }
    const serves = Array.isArray(c.portMappings) && c.portMappings.length > 0;
    if (serves && c.essential !== false && !asRecord(c.healthCheck).command)
      add(where, 'serves a port but has no healthCheck');
  }
  return findings;
}
