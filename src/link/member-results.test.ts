// What a call on an instance held in a class member returns (`this.usersModel.findOne(...)`)
// is followed only by packs that read call results: most are plain responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../test/helpers/fixture.js';

test('link: reading an SDK response got through a class member (`completion.choices[0].message.content.trim()`) makes no call (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'assist', dependencies: { openai: '^4.56.0', '@nestjs/common': '^10.4.0' } }),
    'src/assist/assist.service.ts': `import { Injectable } from '@nestjs/common';
import OpenAI from 'openai';

@Injectable()
export class AssistService {
  constructor(private readonly openai: OpenAI) {}
  async suggest(prompt: string) {
    const completion = await this.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
    const content = completion.choices[0]?.message?.content?.trim();
    return content?.toUpperCase();
  }
}
`,
    'src/assist/assist.controller.ts': `import { Body, Controller, Post } from '@nestjs/common';
import { AssistService } from './assist.service';
@Controller('assist')
export class AssistController {
  constructor(private readonly assist: AssistService) {}
  @Post()
  suggest(@Body() dto: { prompt: string }) { return this.assist.suggest(dto.prompt); }
}
`,
  }, { rules: [] });
  const calls = model.edges.filter((e) => e.to === 'external:openai').map((e) => `${e.kind} ${e.evidence.map((x) => x.line).join(' ')}`);
  assert.deepEqual(calls, ['calls 8']);
});
