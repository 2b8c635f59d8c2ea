import { Module } from '@nestjs/common';
import { OrganisationModule } from '../organisation/organisation.module';
import { BillingController } from './billing.controller';
import { BillingService } from './billing.service';
import { stripeProvider } from './stripe.provider';

@Module({
  imports: [OrganisationModule],
  controllers: [BillingController],
  providers: [BillingService, stripeProvider],
})
export class BillingModule {}
