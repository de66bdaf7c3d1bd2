# Rampart container image: multi-stage, production dependencies only, non-root, read-only root
# filesystem friendly (it writes nothing but stdout/stderr), exec-form commands only.
#
#   docker build -t rampart .                       # FROM node:20-slim
#   docker build --build-arg BASE_IMAGE=... -t rampart .   # any Debian-like image with Node 20
#   docker run --read-only -p 8080:8080 -v $PWD/rampart.json:/etc/rampart/rampart.json:ro rampart
#
# The config is read from /etc/rampart/rampart.json (RAMPART_CONFIG); mount it (a Kubernetes
# ConfigMap, a bind mount). SIGTERM drains in-flight requests (bounded by max_shutdown_wait_time,
# default 30 s) and exits 0.
ARG BASE_IMAGE=node:20-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
# Dependencies first (their layer is reused while only the source changes). No install scripts:
# none of Rampart's dependencies needs one (esbuild's binary comes from its platform package).
COPY package.json package-lock.json ./
RUN ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
COPY tsconfig.json ./
COPY scripts/build-validators.ts scripts/bundle.mjs scripts/
COPY src/ src/
RUN ["npm", "run", "build"]
# The runtime tree: production dependencies only, installed afresh from the lockfile.
WORKDIR /app
RUN ["cp", "/src/package.json", "/src/package-lock.json", "/app/"]
RUN ["npm", "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"]
RUN ["cp", "-r", "/src/dist", "/app/dist"]
COPY bin/ /app/bin/
COPY scripts/healthcheck.mjs /app/healthcheck.mjs
# The glob makes the release key optional: a checkout that has not committed one still builds
# (`rampart verify` then asks for --key), and one that has ships it.
COPY LICENSE release-key.pub.pe[m] /app/

FROM ${BASE_IMAGE} AS runtime
# npm, npx, corepack and yarn are not needed to run the gateway: leave them out of the image.
RUN ["/bin/sh", "-c", "rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*"]
ENV NODE_ENV=production \
    RAMPART_CONFIG=/etc/rampart/rampart.json
# Owned by root and not writable by the user the gateway runs as.
COPY --from=build /app /app
# An unprivileged numeric user (no entry in /etc/passwd needed; Kubernetes runAsNonRoot can check it).
USER 65532:65532
WORKDIR /app
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/bin/rampart"]
# One process per container: scale with replicas (a pod's CPU limit is not seen by Node's core count).
CMD ["run", "--workers", "1"]
