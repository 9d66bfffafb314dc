// GET /health: the target group's health check path for the web service (CDK alb-stack.ts).
export const health = () => ({ status: 'ok', service: 'web' });
