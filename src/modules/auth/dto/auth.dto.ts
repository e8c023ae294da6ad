import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { DateTime, InFuture, OptionalNotNull, OptionalText, Text } from '../../../common/dto.js';
import { ROLES, type Role } from '../principal.js';

const PASSWORD_RULE = 'at least 8 characters mixing three of: lower case, upper case, digits, symbols';

/**
 * 等保 2.0 asks passwords to be complex: three of the four kinds of character. Only what the API sets is
 * held to it; how long is MinLength's to say, with its own message.
 */
const StrongPassword = () =>
  ValidateBy({
    name: 'strongPassword',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'string' ||
        [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((kind) => kind.test(value)).length >= 3,
      defaultMessage: () => `$property must mix three of: lower case, upper case, digits, symbols`,
    },
  });

export class LoginDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password!: string;
}

export class CreateUserDto {
  @ApiProperty({ maxLength: 64 })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, {
    message: '$property must be letters, digits, ".", "-", "_" or "@"',
  })
  @MaxLength(64)
  username!: string;

  @OptionalText(200)
  displayName?: string;

  @ApiProperty({ minLength: 8, maxLength: 200, description: PASSWORD_RULE })
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  @StrongPassword()
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'required for dept-admin, refused for other roles' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class UpdateUserDto {
  @OptionalText(200)
  displayName?: string;

  @ApiPropertyOptional({ minLength: 8, maxLength: 200, description: PASSWORD_RULE })
  @OptionalNotNull()
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  @StrongPassword()
  password?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  disabled?: boolean;
}

export class CreateApiTokenDto {
  @Text(100, 'what the token is for')
  name!: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'in the future; unset: the token never expires' })
  @IsOptional()
  @DateTime()
  @InFuture()
  expiresAt?: string;
}
