import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/config.js';
import { dataSourceOptions } from './data-source-options.js';

@Module({})
export class DatabaseModule {
  /** `application`: the process's role as PostgreSQL shows it (govcloud-api, govcloud-worker). */
  static forRoot(application: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          // Keep retrying at start-up only briefly: an orchestrator restarts us; at run time pg reconnects per query.
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config.DATABASE_URL, application),
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
      ],
    };
  }
}
