import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import { rootLogger } from './logger.js';
import { requestContext } from './request-context.js';
import type { MetricsService } from '../modules/health/metrics.service.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Request id (taken from X-Request-Id when sane), JSON access log, latency metric, and the request's context. */
export function httpMiddleware(metrics: MetricsService) {
  const logger = pinoHttp({
    logger: rootLogger(),
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: {
      ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
    },
    serializers: {
      req: (req) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res) => ({ statusCode: res.statusCode }),
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () =>
      end({ route: (req.route?.path as string | undefined) ?? 'unmatched', status: String(res.statusCode) }),
    );
    logger(req, res, () => requestContext.run({ requestId: String(req.id) }, next));
  };
}
