import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/decorators';
import {
  SaveBusinessInformationDto,
  SaveProfilePrecisDto,
  SaveQualificationDto,
  SetupDeploymentChoiceDto,
  SetupOrganisationHandleDto,
  SetupSoloHandleDto,
} from './dto/onboarding.dto';
import { OnboardingService } from './onboarding.service';

@Controller('user')
export class OnboardingController {
  constructor(private readonly onboardingService: OnboardingService) {}

  @Post('save-profile-precis')
  @HttpCode(HttpStatus.OK)
  saveProfilePrecis(@CurrentUser() user: AuthUser, @Body() dto: SaveProfilePrecisDto) {
    return this.onboardingService.saveProfilePrecis(user, dto);
  }

  @Get('isUserHandleAvailable')
  async isUserHandleAvailable(@Query('handle') handle: string) {
    const available = await this.onboardingService.isUserHandleAvailable(handle ?? '');
    return { handle, available };
  }

  @Post('setup-solo-handle')
  setupSoloHandle(@CurrentUser() user: AuthUser, @Body() dto: SetupSoloHandleDto) {
    return this.onboardingService.setupSoloHandle(user, dto);
  }

  @Post('setup-organisation-handle')
  setupOrganisationHandle(@CurrentUser() user: AuthUser, @Body() dto: SetupOrganisationHandleDto) {
    return this.onboardingService.setupOrganisationHandle(user, dto);
  }

  @Post('save-qualification')
  @HttpCode(HttpStatus.OK)
  saveQualification(@CurrentUser() user: AuthUser, @Body() dto: SaveQualificationDto) {
    return this.onboardingService.saveQualification(user, dto);
  }

  /** @deprecated use save-qualification */
  @Post('save-business-information')
  @HttpCode(HttpStatus.OK)
  saveBusinessInformation(@CurrentUser() user: AuthUser, @Body() dto: SaveBusinessInformationDto) {
    return this.onboardingService.saveBusinessInformation(user, dto);
  }

  @Post('setup-deployment-choice')
  setupDeploymentChoice(@CurrentUser() user: AuthUser, @Body() dto: SetupDeploymentChoiceDto) {
    return this.onboardingService.setupDeploymentChoice(user, dto);
  }
}
