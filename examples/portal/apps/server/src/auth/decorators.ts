import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthenticatedRequest, AuthUser } from './auth.types';

export const IS_PUBLIC_KEY = 'isPublic';

/** Marks a route (or controller) as reachable without a bearer token. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/** Injects the user resolved by {@link JwtAuthGuard}. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return request.user;
});
