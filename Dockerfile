# syntax=docker/dockerfile:1
# Mascotas API: one image for every process of the system; MODULES picks which modules it hosts.
# Build: docker build -t mascotas .   Run: see docs/deployment.md (docker compose up).

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# --- deps: every dependency, for the TypeScript build -------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# patches/: the fixes `npm ci` applies to installed packages (postinstall: patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund

# --- build: tsc -p tsconfig.build.json -> dist/ -------------------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- production dependencies only (argon2 ships prebuilt binaries for linux glibc) ----------------
FROM ${NODE_IMAGE} AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# The code stays owned by root (read-only for the app); only the data directory (PGlite when no
# DATABASE_URL is given, never used with PostgreSQL) is writable by the unprivileged `node` user.
COPY --from=production-deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY --from=build /app/dist ./dist
# Migrations are applied by the app itself at start-up, from /app/drizzle (see src/platform/db).
COPY drizzle ./drizzle
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# Slim images have no curl: Node's own fetch asks the readiness endpoint (database and broker up).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly (not npm start): it is PID 1 and gets SIGTERM itself, so the graceful shutdown in
# src/server.ts drains requests, the outbox and the consumers before the container stops. The
# flags are `npm start`'s (a test holds them equal), chosen for memory under load (README, Heap):
# the 1 GiB heap cap is a ceiling, not a size (V8 paces its collections to it instead of growing
# toward the default cap, a quarter of the machine's memory), 8 MB semi-spaces that stay 8 MB when
# traffic pauses (a shrunk young generation promotes the next burst's requests), no allocation
# sites tenured for good by one slow burst, the old generation
# collected at a quarter's growth, and TurboFan on the main thread (no compile threads' malloc
# arenas left behind); the bench's catalog loads peak near 160 MB.
CMD ["node", "--max-old-space-size=1024", "--max-semi-space-size=8", "--min-semi-space-size=8", "--heap-growing-percent=25", "--no-allocation-site-pretenuring", "--no-concurrent-recompilation", "dist/server.js"]
