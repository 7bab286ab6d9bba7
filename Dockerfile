# Image of the union-drive engine. One image, two processes:
#   API (default):  npx tsx api/main.ts          (applies knex migrations at start)
#   worker:         npx tsx runtime/worker-main.ts (docker-compose.yml overrides the command)
# Configuration comes only from the environment; see runtime/config.ts.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# base: the npm that wrote package-lock.json. package.json's `allowScripts`
# (install-script approvals) is an npm 11 feature; the npm 10 bundled with
# Node 20 ignores the field and would run every dependency's install script.
# Pinning the same npm keeps `npm ci` in the image identical to a developer's.
FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION=11.19.1
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
RUN npm install --global "npm@${NPM_VERSION}" && npm --version
WORKDIR /app

# ---------------------------------------------------------------------------
# deps: every dependency (dev ones too, for building the web app).
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci

# ---------------------------------------------------------------------------
# build: the source and the web app's production bundle (web/dist, which the
# API serves at /). The dev dependencies that built it stay in this stage.
FROM deps AS build
COPY . .
RUN npm run build:web \
 && test -f web/dist/index.html \
 && rm -rf node_modules

# ---------------------------------------------------------------------------
# prod-deps: runtime dependencies only (tsx, the Temporal SDK, knex, pg ...).
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

# ---------------------------------------------------------------------------
# runtime: the processes run TypeScript through tsx, so the image carries the
# source, owned by root and read-only to the unprivileged `node` user; its
# node_modules are the production dependencies only (no vite, typescript,
# vitest or eslint).
FROM ${NODE_IMAGE} AS runtime
# HOST: inside its container the API listens on the container's interface;
# docker-compose publishes only the TLS proxy in front of it.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app
# The CJK font the printed 审批单 PDF is set in (PRINT_FONT_PATH's default, Noto Sans CJK SC); without it the PDF
# answers 503. Debian's package, from the image's own apt sources.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
 && rm -rf /var/lib/apt/lists/*
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app ./
# DATA_DIR (default ./data) is the only place the app may write to: attachments (附件) live under data/attachments,
# a volume in docker-compose.yml.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Ready when the database and Temporal answer and the event loop is not stalled (the slim image has no curl).
# The worker runs from this image too; docker-compose gives it a check of its own.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["npx", "tsx", "api/main.ts"]
