import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from './principal.js';

export const IS_PUBLIC = 'govcloud:public';
export const ROLES_KEY = 'govcloud:roles';

/** No token needed (login, health probes, metrics). Everything else requires one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The roles allowed on a handler or controller. An authenticated route without @Roles is refused. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Every role may read; used on GET routes whose service then scopes dept-admins to their subtree. */
export const READERS: Role[] = ['operator', 'finance', 'dept-admin', 'auditor'];

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);
