import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module';
import { OrganisationModule } from '../organisation/organisation.module';
import { OnboardingController } from './onboarding.controller';
import { OnboardingService } from './onboarding.service';

@Module({
  imports: [OrganisationModule, EmailModule],
  controllers: [OnboardingController],
  providers: [OnboardingService],
})
export class OnboardingModule {}
