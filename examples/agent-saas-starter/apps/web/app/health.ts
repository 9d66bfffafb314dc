// GET /api/health/ready: the web app's readiness probe (quickstart step 6).
export function GET(): Response {
  return Response.json({ status: 'ready', api: process.env.API_BASE_URL ?? null });
}
