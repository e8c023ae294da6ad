import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number.parseInt(value, 10) : value;

const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;

/**
 * Every environment variable the processes read; nothing else in them reads process.env. (The TypeORM
 * CLI's data source, src/database/data-source.ts, reads DATABASE_URL alone, as do the scripts.)
 */
export class AppConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL!: string;

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL!: string;

  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET!: string;

  /** 32 bytes as 64 hex characters: the key that encrypts pool connection secrets at rest. */
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hex characters (32 bytes)' })
  SECRET_KEY!: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /**
   * How long an idle keep-alive connection stays open after a response. Longer than any proxy in front
   * keeps an idle upstream connection (nginx and most L7 load balancers: 60 s): a proxy that reuses a
   * connection the API has just closed gets a reset, and its client a 502. Node's own default is 5 s.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  HTTP_KEEP_ALIVE_MS = 65_000;

  @IsOptional()
  @IsString()
  JWT_TTL = '12h';

  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9_-]+$/i, { message: 'must be letters, digits, _ or -' })
  QUEUE_PREFIX = 'govcloud';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsOptional()
  @IsString()
  GOVCLOUD_ADMIN_USER = 'admin';

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  GOVCLOUD_ADMIN_PASSWORD?: string;

  /** Failed logins in a row that lock an account (等保: limit illegal login attempts)… */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  LOGIN_MAX_FAILURES = 5;

  /** …for this many minutes. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1440)
  LOGIN_LOCK_MINUTES = 15;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  WORKER_CONCURRENCY = 8;

  /** BullMQ lock: a crashed worker's job is taken up again within about lockDuration + stalledInterval. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  WORKER_LOCK_MS = 10000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  WORKER_STALLED_INTERVAL_MS = 5000;

  /**
   * How long SIGTERM lets in-flight jobs finish before the worker shuts down without them (their locks lapse
   * and another worker takes them up). Redis being away is what makes a drain hang: keep this under the
   * pod's terminationGracePeriodSeconds, so the worker shuts down of its own accord.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  WORKER_DRAIN_MS = 50000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  OUTBOX_POLL_MS = 500;

  /**
   * Connections a rebill draft meters its usage on at once, each a range of resources: about the cores
   * PostgreSQL can give it. Each takes a connection of the pool (20) while the draft computes.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8)
  REBILL_PARALLELISM = 2;

  /**
   * When set, /metrics (the API's and a worker's) answers only `Authorization: Bearer <token>`: its
   * labels name departments and their budget alerts. Unset: open, for a cluster-internal scrape.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /**
   * Where a worker process serves /healthz and /metrics: its jobs set metrics (job runs, quota drift,
   * budget overspend) that only its own registry holds. Unset: not served; 0: any free port (logged).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_METRICS_PORT?: number;

  /** Where fake pools keep their objects (tests, benchmarks, the demo); REDIS_URL when unset. */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  FAKE_POOL_REDIS_URL?: string;
  /** Server-room closure candidates (src/modules/facilities/candidates.ts): small below these racks… */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  ROOM_SMALL_MAX_RACKS = 10;

  /** …or below this floor area (m²). */
  @IsOptional()
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  ROOM_SMALL_MAX_AREA_M2 = 100;

  /** Energy-hungry above this PUE. */
  @IsOptional()
  @Transform(toNumber)
  @IsNumber()
  @Min(1)
  ROOM_MAX_PUE = 2;

  /** Under-used below this utilisation (%). */
  @IsOptional()
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(100)
  ROOM_MIN_UTILISATION_PERCENT = 30;

  /** The built web console the API serves (`npm run build:console`); relative to the working directory. */
  @IsOptional()
  @IsString()
  CONSOLE_DIR = 'console/dist';

  /** A CJK font for PDF reports (.ttf, .otf or .ttc); unset: the Debian fonts-noto-cjk paths are searched. */
  @IsOptional()
  @IsString()
  CJK_FONT_PATH?: string;

  /** The font's PostScript name inside a .ttc collection. */
  @IsOptional()
  @IsString()
  CJK_FONT_FAMILY = 'NotoSansCJKsc-Regular';
}

export class ConfigError extends Error {}

/** Validates the environment; the error names the first bad variable in one line. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // An empty value (KEY= in a .env file) means unset, so the default applies.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const config = plainToInstance(AppConfig, present);
  const errors = validateSync(config, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    const first = errors[0];
    const value = env[first.property];
    const problems = Object.values(first.constraints ?? {}).map((message) =>
      message.replace(`${first.property} `, ''),
    );
    const problem = value === undefined || value === '' ? 'is not set' : problems.join(', ');
    throw new ConfigError(`Configuration error: ${first.property} ${problem}`);
  }
  return config;
}

let cached: AppConfig | undefined;

export function loadConfig(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

/** For tests that change the environment between application instances. */
export function resetConfig(): void {
  cached = undefined;
}
