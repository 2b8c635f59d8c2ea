import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types';
import { CurrentUser } from '../auth/decorators';
import { SuggestCurationDto } from './curation.dto';
import { CurationService } from './curation.service';

@Controller('curation')
export class CurationController {
  constructor(private readonly curationService: CurationService) {}

  @Post('suggest')
  @HttpCode(HttpStatus.OK)
  suggest(@CurrentUser() user: AuthUser, @Body() dto: SuggestCurationDto) {
    return this.curationService.suggest(user, dto);
  }
}
