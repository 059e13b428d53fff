# syntax=docker/dockerfile:1
# The images of Spendgraph's apps: one file, one target each (api, worker, web, cli), built as
#   docker build --target api -t spendgraph/api .        (docker compose build builds all four)
# They share every stage up to the runtime: one dependency install, one web build, one pruned
# node_modules layer. The apps run their TypeScript with Node's own type stripping, so api, worker
# and cli need no build step (Node's compile cache keeps what it stripped: ADR 0031); the web app
# is a Next.js production build.
# BASE_IMAGE: any Debian-based Node 24 image with npm (CI builds a local one: scripts/containers.sh).
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS base
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1

# The manifests alone (package.json of every workspace, the lock), so the install below is rebuilt
# only when a dependency changes, not when a source does.
FROM base AS manifests
COPY . /src
RUN cd /src && mkdir /manifests && cp --parents package.json package-lock.json */*/package.json /manifests/

# Every workspace's dependencies, dev tools included (the web build needs them), from the lock.
# npm install, not npm ci: see scripts/lib/deps.sh. Cube Store's binary is never used (in-process layer).
# NPM_CONFIG_CACHE: a builder may mount a warm npm cache elsewhere (scripts/containers.sh mounts the host's).
# FROM_CHECKOUT=1: the builder mounts at /prebuilt the checkout whose dependencies are installed from
# this lock (scripts/lib/deps.sh) and whose web app is built, after the suite has tested exactly those
# (CI: scripts/containers.sh build --from-checkout); those trees are copied instead of made again.
FROM base AS deps
COPY --from=manifests /manifests/ ./
ARG NPM_CONFIG_CACHE=/var/cache/npm
ARG FROM_CHECKOUT=""
RUN --mount=type=cache,target=/var/cache/npm \
    if [ -z "$FROM_CHECKOUT" ]; then CUBESTORE_SKIP_POST_INSTALL=true npm install --no-audit --no-fund --prefer-offline; fi

# The web app's production build.
FROM deps AS build
ARG FROM_CHECKOUT=""
COPY . .
RUN if [ -n "$FROM_CHECKOUT" ]; then tar -C /prebuilt/apps/web --exclude=.next/cache -cf - .next | tar -C apps/web -xf -; \
    else node apps/web/scripts/graphql-types.ts --check && (cd apps/web && node ../../node_modules/next/dist/bin/next build); fi \
 && rm -rf apps/web/.next/cache

# What every app image holds: production dependencies (the deps stage's tree, or the checkout's,
# pruned in the same step: one layer), the shared packages, the model, the migrations.
FROM base AS runtime
# NODE_COMPILE_CACHE: a restarted container's apps read their stripped TypeScript and V8 code from
# there instead of stripping and compiling again (docs/decisions/0031-process-memory.md).
ENV NODE_ENV=production NODE_COMPILE_CACHE=/tmp/node-compile-cache
RUN groupadd --system --gid 10001 spendgraph \
 && useradd --system --uid 10001 --gid spendgraph --home-dir /app --shell /usr/sbin/nologin spendgraph
COPY --from=manifests /manifests/ ./
ARG FROM_CHECKOUT=""
RUN --mount=type=bind,from=deps,source=/app,target=/deps \
    src=/deps; if [ -n "$FROM_CHECKOUT" ]; then src=/prebuilt; fi \
 && cp -a "$src/node_modules" . && for d in "$src"/apps/*/node_modules "$src"/packages/*/node_modules; do \
      if [ -d "$d" ]; then cp -a "$d" "${d#"$src"/}"; fi; done \
 && npm prune --omit=dev --offline --no-audit --no-fund && npm cache clean --force
COPY packages ./packages
COPY cube ./cube
COPY db ./db
# The model's transpiled files (packages/semantic/src/transpile-cache.ts), so that an API's first
# query after a start compiles the model without transpiling it; the app user cannot write here.
RUN node --input-type=module -e "await (await import('./packages/semantic/src/model.ts')).loadModel()"
USER spendgraph
# VERSION: the apps' version (package.json); SOURCE: where the sources live (the repository's URL);
# REVISION: the commit built (scripts/containers.sh passes all three).
ARG VERSION=0.1.0
ARG SOURCE=""
ARG REVISION=""
LABEL org.opencontainers.image.title="Spendgraph" \
      org.opencontainers.image.description="Self-hosted cost intelligence for AI work" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}"

# HTTP API (GraphQL, REST, ingest); also runs the migrations: node packages/db/src/migrate-cli.ts
FROM runtime AS api
COPY apps/api ./apps/api
ENV API_HOST=0.0.0.0 API_PORT=4000
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.API_PORT}/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=16", "apps/api/src/main.ts"]

# Queue worker (ingest, roll-ups, budgets, alerts, insights); Prometheus /metrics on WORKER_METRICS_PORT.
FROM runtime AS worker
COPY apps/worker ./apps/worker
ENV WORKER_METRICS_HOST=0.0.0.0 WORKER_METRICS_PORT=9464
EXPOSE 9464
# Healthy while its metrics endpoint answers (WORKER_METRICS_PORT=0 serves none: nothing to check).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const p = process.env.WORKER_METRICS_PORT; if (p === '0') process.exit(0); fetch(`http://127.0.0.1:${p}/metrics`, { headers: { authorization: `Bearer ${process.env.OPERATOR_TOKEN}` } }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=16", "apps/worker/src/main.ts"]

# Web app: `next start` of the build made above.
FROM runtime AS web
# next start writes its cache under .next
COPY --from=build --chown=10001:10001 /app/apps/web ./apps/web
WORKDIR /app/apps/web
ENV PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/signin`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "../../node_modules/next/dist/bin/next", "start"]

# The spendgraph command (collect, admin): docker run --rm spendgraph/cli admin --help
FROM runtime AS cli
COPY apps/cli ./apps/cli
HEALTHCHECK NONE
ENTRYPOINT ["node", "apps/cli/src/main.ts"]
CMD ["--help"]
