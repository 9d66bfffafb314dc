"""Kaapi backend stand-in: the health endpoint the staging workflow checks after the rollout."""

from fastapi import FastAPI

app = FastAPI(title="Kaapi")


@app.get("/api/v1/utils/health/")
def health() -> bool:
    return True
