import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { AuthService } from './auth.service.js';
import { CurrentPrincipal, Public, READERS, Roles } from './decorators.js';
import { CreateApiTokenDto, CreateUserDto, LoginDto, UpdateUserDto } from './dto/auth.dto.js';
import type { Principal } from './principal.js';
import { UsersService } from './users.service.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  login(@Body() dto: LoginDto) {
    return this.auth.login(dto.username, dto.password);
  }

  @Get('me')
  @ApiBearerAuth()
  @Roles(...READERS)
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Post('tokens')
  @ApiBearerAuth()
  @Roles(...READERS)
  createToken(@CurrentPrincipal() principal: Principal, @Body() dto: CreateApiTokenDto) {
    return this.users.createToken(principal, dto);
  }

  @Get('tokens')
  @ApiBearerAuth()
  @Roles(...READERS)
  listTokens(@CurrentPrincipal() principal: Principal) {
    return this.users.listTokens(principal);
  }

  @Delete('tokens/:id')
  @ApiBearerAuth()
  @Roles(...READERS)
  @HttpCode(204)
  revokeToken(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.users.revokeToken(principal, id);
  }
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Roles('operator', 'auditor')
  list() {
    return this.users.list();
  }

  @Post()
  @Roles('operator')
  create(@Body() dto: CreateUserDto) {
    return this.users.create(dto);
  }

  @Patch(':id')
  @Roles('operator')
  update(@UuidParam('id') id: string, @Body() dto: UpdateUserDto) {
    return this.users.update(id, dto);
  }
}
