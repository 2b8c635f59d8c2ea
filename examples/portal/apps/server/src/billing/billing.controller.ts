import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Post, RawBodyRequest, Req } from '@nestjs/common';
import { IsString } from 'class-validator';
import type { Request } from 'express';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser, Public } from '../auth/decorators';
import { BillingService } from './billing.service';

class CreateCheckoutSessionDto {
  @IsString()
  orgCode: string;
}

@Controller('billing')
export class BillingController {
  constructor(private readonly billingService: BillingService) {}

  @Get('subscription')
  subscription(@CurrentUser() user: AuthUser) {
    return this.billingService.getCurrentSubscription(user);
  }

  @Post('checkout-session')
  checkoutSession(@CurrentUser() user: AuthUser, @Body() dto: CreateCheckoutSessionDto) {
    return this.billingService.createCheckoutSession(user, dto.orgCode);
  }

  @Public()
  @Post('webhook')
  @HttpCode(HttpStatus.OK)
  async webhook(@Req() req: RawBodyRequest<Request>, @Headers('stripe-signature') signature: string | undefined) {
    await this.billingService.handleWebhook(req.rawBody, signature);
    return { received: true };
  }
}
