# One image for the api and the worker (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
# git and a shell toolset for the agents' workspaces; bubblewrap is the agents' sandbox, ripgrep serves the grep and
# glob tools, socat forwards the sandbox's proxy port; tini forwards signals so SIGTERM drains the worker.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates tini bubblewrap ripgrep socat procps curl \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# Dev dependencies stay: tsx runs the TypeScript sources, prisma generates the client, tsc and vite build the
# client library and the console. Scripts wait until the sources are copied (prepare builds from them).
RUN npm ci --include=dev --ignore-scripts
COPY . .
RUN npm run generate && npm run build \
  && mkdir -p /data/generations && chown node:node /data/generations
USER node
EXPOSE 4000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "src/server.ts"]
