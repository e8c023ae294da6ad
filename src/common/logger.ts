import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

let root: Logger | undefined;

export function rootLogger(level = 'info'): Logger {
  root ??= pino({ level, base: { service: 'govcloud' }, timestamp: pino.stdTimeFunctions.isoTime });
  return root;
}

/** Routes Nest's own log lines through pino so every line is JSON. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
