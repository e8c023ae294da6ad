import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { BooleanQuery, OptionalText, PageQuery, Text } from '../../../common/dto.js';
import { QUOTA_MAX } from '../quota-dimensions.js';
import { QUOTA_REQUEST_STATES, type QuotaRequestState } from '../entities/quota-request.entity.js';

/** A whole number from 0 to QUOTA_MAX; null is refused (omit a dimension to leave it alone). */
const Amount = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: QUOTA_MAX, description }),
    ValidateIf((_object, value) => value !== undefined),
    IsInt(),
    Min(0),
    Max(QUOTA_MAX),
  );

export class QuotaAmountsDto {
  @Amount('virtual CPUs')
  vcpu?: number;

  @Amount('memory, GiB')
  memoryGiB?: number;

  @Amount('block storage, GiB')
  storageGiB?: number;

  @Amount('GPUs')
  gpu?: number;

  @Amount('public IP addresses')
  publicIp?: number;

  @Amount('VMs and containers')
  instances?: number;
}

const Limits = (description: string, { optional = false } = {}) =>
  applyDecorators(
    optional
      ? ApiPropertyOptional({ type: QuotaAmountsDto, description })
      : ApiProperty({ type: QuotaAmountsDto, description }),
    ...(optional ? [IsOptional()] : [IsDefined()]),
    IsObject(),
    ValidateNested(),
    Type(() => QuotaAmountsDto),
  );

export class SetQuotaDto {
  @Limits('the new limits, absolute; dimensions left out keep their limit')
  limits!: QuotaAmountsDto;
}

export class QuotaQuery {
  @ApiPropertyOptional({ description: 'also list every department below, and the subtree’s total use' })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean()
  subtree?: boolean;
}

export class CreateQuotaRequestDto {
  @ApiProperty({ format: 'uuid', description: 'the department whose limits are asked for' })
  @IsUUID()
  departmentId!: string;

  @Limits('the limits asked for, absolute (not increments)')
  limits!: QuotaAmountsDto;

  @Text(2000, 'why the department needs the capacity')
  reason!: string;
}

export class ApproveQuotaRequestDto {
  @Limits(
    'the limits granted, each at most what was asked; dimensions left out are not granted; omit to grant in full',
    { optional: true },
  )
  limits?: QuotaAmountsDto;

  @OptionalText(2000)
  comment?: string;
}

export class RejectQuotaRequestDto {
  @Text(2000, 'why the request is refused')
  reason!: string;
}

export class QuotaRequestFilter {
  @ApiPropertyOptional({ enum: QUOTA_REQUEST_STATES })
  @IsOptional()
  @IsIn(QUOTA_REQUEST_STATES)
  state?: QuotaRequestState;

  @ApiPropertyOptional({ format: 'uuid', description: 'requests for this department and its subtree' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class ListQuotaRequestsQuery extends IntersectionType(QuotaRequestFilter, PageQuery) {}
