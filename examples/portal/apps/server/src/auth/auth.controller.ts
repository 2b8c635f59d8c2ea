import { Controller, Get } from '@nestjs/common';
import type { AuthUser } from './auth.types';
import { CurrentUser } from './decorators';

@Controller('auth')
export class AuthController {
  @Get('me')
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }
}
