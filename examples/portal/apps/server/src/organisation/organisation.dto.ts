import { OrganisationKind, OrganisationRole } from '@prisma/client';
import { IsEmail, IsEnum, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export const HANDLE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;

export class CreateOrganisationDto {
  @IsString()
  @MinLength(2)
  @MaxLength(80)
  name: string;

  @Matches(HANDLE_PATTERN, { message: 'handle must be 3-40 lowercase letters, digits or dashes' })
  handle: string;

  @IsEnum(OrganisationKind)
  kind: OrganisationKind;
}

export class InviteMemberDto {
  @IsEmail()
  email: string;

  @IsOptional()
  @IsEnum(OrganisationRole)
  role?: OrganisationRole;
}

export interface OrganisationMemberView {
  userId: string;
  email: string;
  name: string | null;
  role: OrganisationRole;
  invited: boolean;
  joinedAt: Date;
}
