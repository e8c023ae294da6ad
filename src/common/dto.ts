import { applyDecorators, BadRequestException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsISO8601,
  IsObject,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

const NOT_BLANK = /\S/;

/** The largest value of a PostgreSQL integer column: a larger number is the client's mistake, named here. */
export const INT_MAX = 2_147_483_647;

/**
 * May be left out, but not sent as null: for fields whose column takes no null. (@IsOptional lets null
 * through, which then fails in the database or the service.) Use IsOptional where null means "clear".
 */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/**
 * A nested object validated as `type`: required unless optional, and an object (not null, an array or a
 * scalar). @ValidateNested alone lets a missing object through to the service.
 */
export const Nested = (
  type: new () => object,
  { optional = false, description = undefined as string | undefined } = {},
) =>
  applyDecorators(
    optional ? ApiPropertyOptional({ type, description }) : ApiProperty({ type, description }),
    optional ? OptionalNotNull() : IsDefined(),
    IsObject(),
    ValidateNested(),
    Type(() => type),
  );

/** A required human-readable string, refused when blank or longer than max; stored exactly as sent. */
export const Text = (max: number, description?: string, { optional = false } = {}) =>
  applyDecorators(
    optional
      ? ApiPropertyOptional({ maxLength: max, description })
      : ApiProperty({ maxLength: max, description }),
    ...(optional ? [OptionalNotNull()] : []),
    IsString(),
    IsNotEmpty(),
    Matches(NOT_BLANK, { message: '$property must not be blank' }),
    MaxLength(max),
  );

export const OptionalText = (max: number, description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ maxLength: max, description }),
    IsOptional(),
    IsString(),
    MaxLength(max),
  );

/** Codes are identifiers people type and spreadsheets carry: letters, digits, dot, dash, underscore. */
export const Code = () =>
  applyDecorators(
    ApiProperty({ maxLength: 64, example: 'sz-gaj' }),
    IsString(),
    Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
      message: '$property must be letters, digits, ".", "-" or "_"',
    }),
    MaxLength(64),
  );

/**
 * A finite number with at most `places` decimals. class-validator's IsNumber({ maxDecimalPlaces })
 * throws on a fraction JavaScript writes in exponent form (1e-7 has no "."), which answered 500.
 */
export const NumberWithDecimals = (places: number) =>
  ValidateBy({
    name: 'numberWithDecimals',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(places)) === value,
      defaultMessage: () => `$property must be a number with at most ${places} decimals`,
    },
  });

/** A calendar day, YYYY-MM-DD, that exists: the pattern alone lets 2025-02-30 reach PostgreSQL, which refuses it unnamed. */
export const CalendarDate = () =>
  applyDecorators(
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date YYYY-MM-DD' }),
    IsISO8601({ strict: true }, { message: '$property must be a real date' }),
  );

// The UTC offset at the end of a date-time's time part: its hours, and its minutes when written.
const UTC_OFFSET = /T[^+-]*[+-](\d{2})(?::?\d{2})?$/;

/**
 * A date-time PostgreSQL reads as a timestamptz: ISO 8601, in a form JavaScript reads too, with a UTC
 * offset of at most 15:59. ISO 8601 allows larger offsets and forms (week dates) PostgreSQL refuses, and
 * a filter stored for a job would then fail in the job, long after the request was accepted.
 */
export const DateTime = () =>
  applyDecorators(
    IsISO8601({ strict: true }),
    ValidateBy({
      name: 'postgresDateTime',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          !Number.isNaN(Date.parse(value)) &&
          Number(UTC_OFFSET.exec(value)?.[1] ?? 0) <= 15,
        defaultMessage: () =>
          '$property must be a date-time like 2024-01-01T00:00:00+08:00, its UTC offset between -15:59 and +15:59',
      },
    }),
  );

/** A date-time after now; text that is no date is IsISO8601's to refuse, with its own message. */
export const InFuture = () =>
  ValidateBy({
    name: 'inFuture',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'string' || Number.isNaN(Date.parse(value)) || Date.parse(value) > Date.now(),
      defaultMessage: () => '$property must be in the future',
    },
  });

/** Query-string booleans arrive as text. */
export const BooleanQuery = () =>
  Transform(({ value }) =>
    value === 'true' || value === true ? true : value === 'false' || value === false ? false : value,
  );

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  offset?: number;
}

/** A UUID path parameter whose error names the parameter. */
export const UuidParam = (name: string) =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new BadRequestException({ error: 'InvalidInput', message: `${name}: must be a UUID` }),
    }),
  );
