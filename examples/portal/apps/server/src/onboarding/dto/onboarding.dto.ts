import { DeploymentKind } from '@prisma/client';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEnum,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { HANDLE_PATTERN } from '../../organisation/organisation.dto';

export const ROLES = ['founder', 'cto', 'architect', 'engineering-manager', 'engineer', 'other'] as const;
export const TEAM_SIZES = ['1', '2-10', '11-50', '51-200', '200+'] as const;

export class SaveProfilePrecisDto {
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @Matches(HANDLE_PATTERN)
  userHandle: string;
}

export class SetupSoloHandleDto {
  @Matches(HANDLE_PATTERN)
  handle: string;
}

export class SetupOrganisationHandleDto {
  @Matches(HANDLE_PATTERN)
  handle: string;

  @IsString()
  @MinLength(2)
  @MaxLength(80)
  organisationName: string;
}

export class QualificationAnswersDto {
  @IsIn(ROLES)
  role: (typeof ROLES)[number];

  @IsIn(TEAM_SIZES)
  teamSize: (typeof TEAM_SIZES)[number];

  @IsArray()
  @ArrayMaxSize(12)
  @IsString({ each: true })
  systemTypes: string[];

  @IsArray()
  @ArrayMaxSize(12)
  @IsString({ each: true })
  challenges: string[];

  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  tooling: string[];
}

export class SaveQualificationDto {
  @IsString()
  orgCode: string;

  @ValidateNested()
  @Type(() => QualificationAnswersDto)
  answers: QualificationAnswersDto;
}

/** @deprecated replaced by {@link SaveQualificationDto}; kept for clients on web < 2.3. */
export class SaveBusinessInformationDto {
  @IsString()
  orgCode: string;

  @IsString()
  @MaxLength(2000)
  businessDescription: string;
}

export class SetupDeploymentChoiceDto {
  @IsString()
  orgCode: string;

  @IsEnum(DeploymentKind)
  deploymentKind: DeploymentKind;

  @IsOptional()
  @IsString()
  region?: string;
}
