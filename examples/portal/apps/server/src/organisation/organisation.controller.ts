import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/decorators';
import { CreateOrganisationDto, InviteMemberDto } from './organisation.dto';
import { OrganisationService } from './organisation.service';

@Controller('organisations')
export class OrganisationController {
  constructor(private readonly organisationService: OrganisationService) {}

  @Post()
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateOrganisationDto) {
    return this.organisationService.createOrganisation(user.id, dto);
  }

  @Get(':orgCode')
  findOne(@Param('orgCode') orgCode: string) {
    return this.organisationService.findOrganisation(orgCode);
  }

  @Get(':orgCode/members')
  members(@Param('orgCode') orgCode: string, @CurrentUser() user: AuthUser) {
    return this.organisationService.listMembers(orgCode, user);
  }

  @Post(':orgCode/invitations')
  invite(@Param('orgCode') orgCode: string, @CurrentUser() user: AuthUser, @Body() dto: InviteMemberDto) {
    return this.organisationService.inviteMember(orgCode, user, dto);
  }
}
