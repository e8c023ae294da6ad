import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { rootLogger } from './logger.js';

/** Paths the API answers itself; everything else a browser GETs is the console's. */
const API_PATHS = /^\/(api|healthz|readyz|metrics)(\/|$)/;

/**
 * Serves the built web console (console/dist) from the API's origin, so it shares the API's JWT login
 * without CORS: its files as they are (hashed assets cached for good), and index.html for any other
 * page path, where the console's router takes over. Skipped, with a note, when the console is not built.
 */
export function serveConsole(app: NestExpressApplication, dir: string): void {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) {
    rootLogger().warn({ dir }, 'web console not built (npm run build:console); serving the API only');
    return;
  }
  const files = express.static(dir, {
    index: false,
    setHeaders: (res, file) => {
      if (file.startsWith(path.join(dir, 'assets') + path.sep))
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path)) return next();
    // The files only after the API's own paths are ruled out: otherwise every API GET would look on disk first.
    files(req, res, (error?: unknown) => {
      if (error) return next(error);
      // A missing asset is a 404, not the page.
      if (req.path.startsWith('/assets/')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  });
}
