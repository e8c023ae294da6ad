import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../auth/decorators.js';
import { RedisProbe } from './redis-probe.js';
import { AppConfig } from '../../config/config.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { MetricsService, scrapeAllowed } from './metrics.service.js';

@ApiExcludeController()
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisProbe,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  /** The process is alive; says nothing of its dependencies, so a database outage does not restart pods. */
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Ready to serve: PostgreSQL and Redis both answer. 503 otherwise. */
  @Get('readyz')
  @HealthCheck()
  readyz() {
    return this.health.check([
      () => this.db.pingCheck('database').withTimeout(1500),
      () =>
        this.indicators
          .check('redis')
          .attempt(async () => {
            await this.redis.ping();
          })
          .withTimeout(1500),
    ]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(@Headers('authorization') authorization?: string) {
    if (!scrapeAllowed(this.config.METRICS_TOKEN, authorization))
      throw new DomainError(ErrorCode.Unauthorized, 'authorization: the metrics token is required');
    return this.metrics.registry.metrics();
  }
}
