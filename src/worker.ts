import { loadDotEnv, runOrExit } from './process.js';

loadDotEnv();
await runOrExit(async () => {
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module.js');
  const { PinoNestLogger, rootLogger } = await import('./common/logger.js');
  const { loadConfig } = await import('./config/config.js');
  const app = await NestFactory.createApplicationContext(AppModule.forRole({ api: false, worker: true }), {
    logger: new PinoNestLogger(rootLogger(loadConfig().LOG_LEVEL)),
  });
  app.enableShutdownHooks();
});
