import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

const reach = (m: Awaited<ReturnType<typeof scanModel>>, to: string) => [...new Set(m.edges.filter((e) => e.to === to).flatMap((e) => e.entrypoints ?? []))].sort();

const files = (extra: Record<string, string> = {}) => ({
  'package.json': JSON.stringify({ name: 'ddd', dependencies: { '@nestjs/common': '^10', '@nestjs/core': '^10', '@nestjs/cqrs': '^10', '@prisma/client': '^5' } }),
  'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
  'src/users/create-user.command.ts': `export class CreateUserCommand {
  constructor(readonly email: string) {}
}
`,
  'src/users/create-user.service.ts': `import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CreateUserCommand } from './create-user.command';
import { prisma } from '../db';
@CommandHandler(CreateUserCommand)
export class CreateUserService implements ICommandHandler {
  async execute(command: CreateUserCommand) {
    return prisma.user.create({ data: { email: command.email } });
  }
}
`,
  'src/users/find-users.query.ts': `import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { prisma } from '../db';
export class FindUsersQuery {}
@QueryHandler(FindUsersQuery)
export class FindUsersQueryHandler implements IQueryHandler {
  async execute() {
    return prisma.user.findMany({ take: 20 });
  }
}
`,
  'src/users/user-created.event.ts': `import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { prisma } from '../db';
export class UserCreatedEvent {}
@EventsHandler(UserCreatedEvent)
export class AuditUserCreated implements IEventHandler<UserCreatedEvent> {
  async handle() {
    await prisma.audit.create({ data: { kind: 'user-created' } });
  }
}
`,
  'src/users/users.controller.ts': `import { Body, Controller, Get, Post } from '@nestjs/common';
import { CommandBus, EventBus, QueryBus } from '@nestjs/cqrs';
import { CreateUserCommand } from './create-user.command';
import { FindUsersQuery } from './find-users.query';
import { UserCreatedEvent } from './user-created.event';
@Controller('users')
export class UsersController {
  constructor(private readonly commandBus: CommandBus, private readonly queryBus: QueryBus, private readonly eventBus: EventBus) {}
  @Post()
  async create(@Body() body: { email: string }) {
    const command = new CreateUserCommand(body.email);
    return this.commandBus.execute(command);
  }
  @Get()
  async list() {
    return this.queryBus.execute(new FindUsersQuery());
  }
  @Post('audit')
  audit() {
    this.eventBus.publish(new UserCreatedEvent());
  }
}
`,
  ...extra,
});

test('nestjs-cqrs: commandBus.execute(command) and queryBus.execute(new Query()) run their @CommandHandler / @QueryHandler; EventBus.publish is not followed (trap)', async () => {
  const model = await scanModel(files());
  assert.deepEqual(reach(model, 'datastore:postgres'), ['entrypoint:GET /users', 'entrypoint:POST /users']);
  const write = model.edges.find((e) => e.to === 'datastore:postgres' && e.kind === 'writes' && e.entrypoints?.includes('entrypoint:POST /users'));
  assert.ok(write, 'the command handler writes');
});

test('nestjs-cqrs: two handlers registered for one command name are not guessed between (trap)', async () => {
  const model = await scanModel(files({
    'src/legacy/create-user.service.ts': `import { CommandHandler } from '@nestjs/cqrs';
import { CreateUserCommand } from '../users/create-user.command';
@CommandHandler(CreateUserCommand)
export class LegacyCreateUserService {
  async execute() {
    return null;
  }
}
`,
  }));
  assert.deepEqual(reach(model, 'datastore:postgres'), ['entrypoint:GET /users']);
});
