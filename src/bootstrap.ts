import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import path from 'node:path';
import { AppModule } from './app.module.js';
import {
  answerClientErrors,
  BODY_LIMIT,
  bodyParserErrors,
  rejectUnstorableStrings,
  requireUtf8,
} from './common/body.js';
import { serveConsole } from './common/console.js';
import { AllExceptionsFilter } from './common/exception.filter.js';
import { httpMiddleware } from './common/http.middleware.js';
import { PinoNestLogger, rootLogger } from './common/logger.js';
import { securityHeaders } from './common/security-headers.js';
import { validationPipe } from './common/validation.js';
import { loadConfig } from './config/config.js';
import { MetricsService } from './modules/health/metrics.service.js';

export interface AppRole {
  api: boolean;
  worker: boolean;
}

/** Builds the application for a role, with everything an HTTP client sees configured in one place. */
export async function createApp(role: AppRole): Promise<NestExpressApplication> {
  const config = loadConfig();
  const logger = rootLogger(config.LOG_LEVEL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(role), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  // Request id first, so that even a body the parser refuses is answered with one.
  app.use(httpMiddleware(app.get(MetricsService)));
  app.use(securityHeaders());
  // Nest reserves `verify` for { rawBody: true }, which this app does not use.
  const json = { limit: BODY_LIMIT, verify: requireUtf8 } as NestExpressBodyParserOptionsFor<'json'>;
  app.useBodyParser('json', json);
  app.use(bodyParserErrors, rejectUnstorableStrings);
  answerClientErrors(app.getHttpServer());
  app.getHttpServer().keepAliveTimeout = config.HTTP_KEEP_ALIVE_MS;
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();
  app.disable('x-powered-by');

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('govcloud')
      .setDescription('Control plane of the city government cloud (政务云)')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  if (role.api) serveConsole(app, path.resolve(config.CONSOLE_DIR));
  return app;
}
