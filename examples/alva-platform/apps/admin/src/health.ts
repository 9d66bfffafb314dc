// GET /health: the target group's health check path for the admin service (CDK alb-stack.ts).
export const health = () => ({ status: 'ok', service: 'admin' });
