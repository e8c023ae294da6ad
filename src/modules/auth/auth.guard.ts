import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { requestContext } from '../../common/request-context.js';
import { AuthService } from './auth.service.js';
import { IS_PUBLIC, ROLES_KEY } from './decorators.js';
import type { Role } from './principal.js';

/**
 * Global guard: resolves the bearer token (JWT or API token) to a principal and checks the route's
 * @Roles. Deny by default: a route with neither @Public nor @Roles answers 403 to everyone.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new DomainError(ErrorCode.Unauthorized, 'authorization: a Bearer token is required');
    const principal = await this.auth.resolve(match[1]);
    request.principal = principal;
    const store = requestContext.get();
    if (store) store.principal = principal;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!roles.includes(principal.role)) {
      throw new DomainError(ErrorCode.Forbidden, `role ${principal.role} may not do this`);
    }
    return true;
  }
}
