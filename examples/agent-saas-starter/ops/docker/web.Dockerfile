# Stand-in for the starter's web image (the real one: Node base, `pnpm build`, `next start`); reads API_BASE_URL at
# run time, so one image is promoted from staging to production. Context: the repository root.
FROM scratch
COPY apps/web/ /app/
