# Stand-in for the starter's API image (the real one: Python base, `uv sync`, the FastAPI app and starter-console),
# small enough to build offline with buildah. Context: the repository root. The billing worker runs this image too
# (ENABLE_BILLING_RETRY_WORKER=true in its task definition).
FROM scratch
COPY apps/api/ /app/
