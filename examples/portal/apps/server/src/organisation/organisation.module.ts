import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module';
import { OrganisationController } from './organisation.controller';
import { OrganisationFactory } from './organisation.factory';
import { OrganisationService } from './organisation.service';

@Module({
  imports: [EmailModule],
  controllers: [OrganisationController],
  providers: [OrganisationService, OrganisationFactory],
  exports: [OrganisationService, OrganisationFactory],
})
export class OrganisationModule {}
