import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class SuggestCurationDto {
  @IsString()
  @MinLength(10)
  @MaxLength(4000)
  draft: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsUUID('4', { each: true })
  tagIds: string[];
}

export interface CurationSuggestion {
  suggestion: string;
  relatedQuestionIds: string[];
  degraded: boolean;
}
