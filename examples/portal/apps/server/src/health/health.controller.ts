import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/decorators';

@Controller('health')
export class HealthController {
  private readonly startedAt = new Date().toISOString();

  @Public()
  @Get()
  check() {
    return {
      status: 'ok',
      version: process.env.APP_VERSION ?? 'dev',
      startedAt: this.startedAt,
    };
  }
}
