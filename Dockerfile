# syntax=docker/dockerfile:1
# Multi-stage: build with the dev toolchain, run on a slim image as a non-root user.
# docker run IMAGE api | worker | migrate
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY console/package.json ./console/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY libs ./libs
COPY migrations ./migrations
COPY console ./console
RUN npm run build && npm run build:console && npm prune --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# virsh for libvirt pools; ssh for their qemu+ssh:// URIs (virsh runs the ssh binary; the key and known_hosts
# come from a Secret mounted at /home/node/.ssh); the CJK font for PDF reports.
RUN apt-get update && apt-get install -y --no-install-recommends libvirt-clients openssh-client fonts-noto-cjk tini \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
COPY package.json docker-entrypoint.sh ./
USER node
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--", "/app/docker-entrypoint.sh"]
CMD ["api"]
