import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { BillingModule } from './billing/billing.module';
import { CurationModule } from './curation/curation.module';
import { DatabaseModule } from './database/database.module';
import { EmailModule } from './email/email.module';
import { HealthModule } from './health/health.module';
import { OnboardingModule } from './onboarding/onboarding.module';
import { OrganisationModule } from './organisation/organisation.module';
import { SearchModule } from './search/search.module';

@Module({
  imports: [
    DatabaseModule,
    AuthModule,
    EmailModule,
    OrganisationModule,
    OnboardingModule,
    BillingModule,
    CurationModule,
    SearchModule,
    HealthModule,
  ],
})
export class AppModule {}
