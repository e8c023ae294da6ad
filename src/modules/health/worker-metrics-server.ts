import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rootLogger } from '../../common/logger.js';
import { AppConfig } from '../../config/config.js';
import { MetricsService, scrapeAllowed } from './metrics.service.js';

/**
 * A worker process has no HTTP API, yet its jobs set metrics (job runs, quota drift, budget overspend)
 * that only its own registry holds: it serves them, and a liveness answer for the kubelet, on a port of
 * its own (WORKER_METRICS_PORT) with plain node:http — nothing else of the API belongs here.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ component: 'worker-metrics' });
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.WORKER_METRICS_PORT;
    if (port === undefined) return;
    const server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => resolve());
    });
    this.server = server;
    this.log.info({ port: (server.address() as AddressInfo).port }, 'worker metrics listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/metrics' && !scrapeAllowed(this.config.METRICS_TOKEN, req.headers.authorization)) {
      res
        .writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' })
        .end('metrics token required\n');
    } else if (path === '/metrics') {
      try {
        const body = await this.metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body);
      } catch (error) {
        // A collector that needs Redis (queue sizes) fails while Redis is away; say so, stay up.
        this.log.warn({ err: (error as Error).message }, 'metrics collection failed');
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics collection failed\n');
      }
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  }
}
