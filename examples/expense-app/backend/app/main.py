"""Expense settlement API (stand-in): the ALB routes /api/* here; /api/health is the target group's health check."""

from fastapi import FastAPI

app = FastAPI(title="Expense settlement")


@app.get("/api/health")
def health() -> dict:
    return {"status": "ok"}
