import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';

const entrypoints = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort();
const triggerOf = (m: Model, id: string) => (m.nodes.find((n) => n.id === id) as { trigger?: string } | undefined)?.trigger;

const main = `import { NestFactory } from '@nestjs/core';
import { VersioningType } from '@nestjs/common';
import { AppModule } from './app.module';
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI });
  await app.listen(3170);
}
bootstrap();
`;

test('nestjs: controllers with global prefix, versions and a named wildcard', async () => {
  const model = await scanModel({
    'src/main.ts': main,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
@Module({})
export class AppModule {}
`,
    'src/access-token/access-token.controller.ts': `import { Controller, Delete, Get, Param, Post } from '@nestjs/common';
@Controller({ path: 'access-tokens', version: '1' })
export class AccessTokenController {
  @Post('create')
  create() { return { token: 'pat_1' }; }
  @Get('collection/:id')
  collection(@Param('id') id: string) { return { id }; }
  @Delete('revoke')
  revoke() { return { ok: true }; }
}
`,
    'src/mock-server/mock-server.controller.ts': `import { All, Controller, Req } from '@nestjs/common';
@Controller({ path: 'mock' })
export class MockServerController {
  @All('*path')
  handle(@Req() req: unknown) { return req; }
}
`,
  });
  assert.deepEqual(entrypoints(model), [
    'entrypoint:ALL /api/mock/:path*',
    'entrypoint:DELETE /api/v1/access-tokens/revoke',
    'entrypoint:GET /api/v1/access-tokens/collection/:id',
    'entrypoint:POST /api/v1/access-tokens/create',
  ]);
});

test('nestjs: URI versioning with a defaultVersion puts /v1 on routes without their own version; VERSION_NEUTRAL and @Version override it; header versioning and no versioning leave paths alone', async () => {
  const files = (versioning: string) => ({
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
import { VersioningType } from '@nestjs/common';
import { AppModule } from './app.module';
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  ${versioning}
  app.setGlobalPrefix('api');
  await app.listen(3333);
}
bootstrap();
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
@Module({})
export class AppModule {}
`,
    'src/portfolio/portfolio.controller.ts': `import { Controller, Get, Version } from '@nestjs/common';
@Controller('portfolio')
export class PortfolioController {
  @Get('details')
  details() { return {}; }
  @Get('performance')
  @Version('2')
  performance() { return {}; }
}
`,
    'src/auth/auth.controller.ts': `import { Controller, Get, Version, VERSION_NEUTRAL } from '@nestjs/common';
@Controller('auth')
export class AuthController {
  @Get('google/callback')
  @Version(VERSION_NEUTRAL)
  googleCallback() { return {}; }
  @Get('anonymous')
  anonymous() { return {}; }
}
`,
    'src/health/health.controller.ts': `import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  @Get()
  check() { return { ok: true }; }
}
`,
  });
  const uri = await scanModel(files(`app.enableVersioning({ defaultVersion: '1', type: VersioningType.URI });`));
  assert.deepEqual(entrypoints(uri), [
    'entrypoint:GET /api/auth/google/callback',
    'entrypoint:GET /api/health',
    'entrypoint:GET /api/v1/auth/anonymous',
    'entrypoint:GET /api/v1/portfolio/details',
    'entrypoint:GET /api/v2/portfolio/performance',
  ]);
  // header versioning leaves the paths alone, and without enableVersioning @Version does nothing (traps)
  const unversioned = [
    'entrypoint:GET /api/auth/anonymous',
    'entrypoint:GET /api/auth/google/callback',
    'entrypoint:GET /api/health',
    'entrypoint:GET /api/portfolio/details',
    'entrypoint:GET /api/portfolio/performance',
  ];
  assert.deepEqual(entrypoints(await scanModel(files(`app.enableVersioning({ type: VersioningType.HEADER, header: 'X-API-Version', defaultVersion: '1' });`))), unversioned);
  assert.deepEqual(entrypoints(await scanModel(files(`app.enableCors();`))), unversioned);
});

test('nestjs: GraphQL resolver operations are entrypoints, field resolvers are not', async () => {
  const model = await scanModel({
    'src/db.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'src/team/team.service.ts': `import { Injectable } from '@nestjs/common';
import { prisma } from '../db';
@Injectable()
export class TeamService {
  listForUser(uid: string) { return prisma.team.findMany({ where: { members: { some: { uid } } } }); }
  create(name: string) { return prisma.team.create({ data: { name } }); }
  members(teamId: string) { return prisma.teamMember.findMany({ where: { teamId } }); }
}
`,
    'src/team/team.resolver.ts': `import { Args, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { UseGuards } from '@nestjs/common';
import { TeamService } from './team.service';
import { GqlAuthGuard } from '../guards/gql-auth.guard';
@UseGuards(GqlAuthGuard)
@Resolver(() => Team)
export class TeamResolver {
  constructor(private readonly teamService: TeamService) {}
  @ResolveField(() => [TeamMember])
  members(@Parent() team: Team) { return this.teamService.members(team.id); }
  @Query(() => [Team], { name: 'myTeams', description: 'Teams the user belongs to' })
  teams(@Args('uid') uid: string) { return this.teamService.listForUser(uid); }
  @Mutation(() => Team)
  createTeam(@Args('name') name: string) { return this.teamService.create(name); }
  @Subscription(() => Team, { name: 'teamUpdated' })
  onTeamUpdated() { return null; }
}
class Team { id = ''; }
class TeamMember { uid = ''; }
`,
    'src/guards/gql-auth.guard.ts': `import { CanActivate, Injectable } from '@nestjs/common';
@Injectable()
export class GqlAuthGuard implements CanActivate {
  canActivate() { return true; }
}
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:MUTATION createTeam', 'entrypoint:QUERY myTeams', 'entrypoint:SUBSCRIPTION teamUpdated']);
  assert.equal(triggerOf(model, 'entrypoint:SUBSCRIPTION teamUpdated'), 'websocket');
  assert.equal(triggerOf(model, 'entrypoint:QUERY myTeams'), 'http');
  assert.ok(model.edges.some((e) => e.to === 'datastore:postgres'), 'the resolver reaches the datastore through the service');
});

test('nestjs: a @Query method outside a @Resolver class is no operation (trap)', async () => {
  const model = await scanModel({
    'src/report/report.builder.ts': `import { Query } from './query.decorator';
export class ReportBuilder {
  @Query('monthly')
  monthly() { return []; }
}
`,
    'src/report/query.decorator.ts': `export function Query(_name: string): MethodDecorator { return () => undefined; }
`,
    'src/report/report.controller.ts': `import { Controller, Get, Query } from '@nestjs/common';
@Controller('reports')
export class ReportController {
  @Get()
  list(@Query('month') month: string) { return { month }; }
}
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:GET /reports']);
});

const appModule = `import { Module } from '@nestjs/common';
@Module({})
export class AppModule {}
`;
const controllers = {
  'src/home/home.controller.ts': `import { Controller, Get } from '@nestjs/common';
@Controller()
export class HomeController {
  @Get()
  appInfo() { return { name: 'api' }; }
}
`,
  'src/users/users.controller.ts': `import { Controller, Get, Param } from '@nestjs/common';
@Controller({ path: 'users', version: '1' })
export class UsersController {
  @Get(':id')
  findOne(@Param('id') id: string) { return { id }; }
}
`,
};
const bootstrapWith = (prefixArg: string) => `import { NestFactory } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { VersioningType } from '@nestjs/common';
import { AppModule } from './app.module';
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  const configService = app.get(ConfigService);
  app.setGlobalPrefix(${prefixArg}, { exclude: ['/'] });
  app.enableVersioning({ type: VersioningType.URI });
  await app.listen(3000);
}
void bootstrap();
`;

test('nestjs: a global prefix from a registerAs config factory (env var, else its fallback), with exclude', async () => {
  const files = {
    'src/main.ts': bootstrapWith(`configService.getOrThrow('app.apiPrefix', { infer: true })`),
    'src/app.module.ts': appModule,
    'src/config/app.config.ts': `import { registerAs } from '@nestjs/config';
export default registerAs('app', () => {
  return {
    nodeEnv: process.env.NODE_ENV || 'development',
    apiPrefix: process.env.API_PREFIX || 'api',
  };
});
`,
    ...controllers,
  };
  assert.deepEqual(entrypoints(await scanModel(files)), ['entrypoint:GET /', 'entrypoint:GET /api/v1/users/:id']);
  // the repository's .env sets it: that value wins over the fallback
  assert.deepEqual(entrypoints(await scanModel({ ...files, '.env.example': 'API_PREFIX=rest\n' })), ['entrypoint:GET /', 'entrypoint:GET /rest/v1/users/:id']);
});

test('nestjs: a prefix straight from process.env or a plain ConfigService key; an unreadable one is left out (traps)', async () => {
  const scan = (arg: string, extra: Record<string, string> = {}) => scanModel({ 'src/main.ts': bootstrapWith(arg), 'src/app.module.ts': appModule, ...controllers, ...extra });
  assert.deepEqual(entrypoints(await scan(`process.env.API_PREFIX ?? 'v'`)), ['entrypoint:GET /', 'entrypoint:GET /v/v1/users/:id']);
  assert.deepEqual(entrypoints(await scan(`configService.get('API_PREFIX')`, { '.env': 'API_PREFIX=gateway\n' })), ['entrypoint:GET /', 'entrypoint:GET /gateway/v1/users/:id']);
  // no .env value and no fallback: no guessed prefix
  assert.deepEqual(entrypoints(await scan(`configService.get('API_PREFIX')`)), ['entrypoint:GET /', 'entrypoint:GET /v1/users/:id']);
  assert.deepEqual(entrypoints(await scan(`computePrefix()`)), ['entrypoint:GET /', 'entrypoint:GET /v1/users/:id']);
});

test('nestjs: @UseGuards(AuthGuard(\'jwt\')) — directly or through a guard class extending it — runs the passport strategy\'s validate() before the route; a strategy of another name does not (trap)', async () => {
  const model = await scanModel({
    'package.json': JSON.stringify({ name: 'api', dependencies: { '@nestjs/common': '^10', '@nestjs/core': '^10', '@nestjs/passport': '^10', 'passport-jwt': '^4', 'passport-local': '^1', '@prisma/client': '^5' } }),
    'src/prisma.ts': `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`,
    'src/auth/jwt.strategy.ts': `import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { prisma } from '../prisma';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: process.env.JWT_SECRET });
  }

  async validate(payload: { sub: string }) {
    return prisma.user.findUnique({ where: { id: payload.sub } });
  }
}
`,
    'src/auth/local.strategy.ts': `import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';

@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  validate(username: string, password: string) {
    return username === 'admin' && password === process.env.ADMIN_PASSWORD ? { username } : null;
  }
}
`,
    'src/auth/jwt-auth.guard.ts': `import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {}
`,
    'src/things.controller.ts': `import { Controller, Get, Post, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { JwtAuthGuard } from './auth/jwt-auth.guard';

@Controller('things')
export class ThingsController {
  @UseGuards(AuthGuard('jwt'))
  @Get('mine')
  mine() {
    return [];
  }

  @UseGuards(JwtAuthGuard)
  @Get('shared')
  shared() {
    return [];
  }

  @UseGuards(AuthGuard('local'))
  @Post('login')
  login() {
    return { ok: true };
  }

  @Get('public')
  open() {
    return [];
  }
}
`,
  }, { rules: [] });
  const reach = [...new Set(model.edges.filter((e) => e.to === 'datastore:postgres').flatMap((e) => e.entrypoints ?? [e.from]))].sort();
  assert.deepEqual(reach, ['entrypoint:GET /things/mine', 'entrypoint:GET /things/shared']);
});

test("nestjs: a monorepo's apps each keep their own global prefix and versioning; a shared library's controllers take the one app's setting, and none when two apps set theirs (trap)", async () => {
  const controller = (name: string, path: string) => `import { Controller, Get } from '@nestjs/common';
@Controller('${path}')
export class ${name} {
  @Get()
  get() { return { ok: true }; }
}
`;
  const bootstrap = (settings: string) => `import { NestFactory } from '@nestjs/core';
import { VersioningType } from '@nestjs/common';
import { AppModule } from './app.module';
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
${settings}
  await app.listen(3000);
}
bootstrap();
`;
  const tree = (webhookSettings: string) => ({
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*', 'libs/*'] }),
    'apps/api/package.json': JSON.stringify({ name: 'api', dependencies: { '@nestjs/core': '^10', '@nestjs/common': '^10' } }),
    'apps/api/src/main.ts': bootstrap(`  app.setGlobalPrefix('api');\n  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });`),
    'apps/api/src/users.controller.ts': controller('UsersController', 'users'),
    'apps/webhook/package.json': JSON.stringify({ name: 'webhook', dependencies: { '@nestjs/core': '^10', '@nestjs/common': '^10' } }),
    'apps/webhook/src/main.ts': bootstrap(webhookSettings),
    'apps/webhook/src/health.controller.ts': controller('HealthController', 'v1/health-check'),
    'libs/common/package.json': JSON.stringify({ name: '@acme/common', dependencies: { '@nestjs/common': '^10' } }),
    'libs/common/src/profiling.controller.ts': controller('ProfilingController', 'debug/pprof'),
  });
  const one = await scanModel(tree(''));
  assert.deepEqual(entrypoints(one), ['entrypoint:GET /api/v1/debug/pprof', 'entrypoint:GET /api/v1/users', 'entrypoint:GET /v1/health-check']);
  const two = await scanModel(tree(`  app.setGlobalPrefix('hooks');`));
  assert.deepEqual(entrypoints(two), ['entrypoint:GET /api/v1/users', 'entrypoint:GET /debug/pprof', 'entrypoint:GET /hooks/v1/health-check']);
});

test('nestjs: controller and route paths from an imported constant object, templates over its module’s constants included', async () => {
  const model = await scanModel({
    'src/main.ts': main.replace("  app.setGlobalPrefix('api');\n", '').replace("  app.enableVersioning({ type: VersioningType.URI });\n", ''),
    'src/configs/app.routes.ts': `const usersRoot = 'users';
const v1 = 'v1';
export const routesV1 = {
  version: v1,
  user: { root: usersRoot, delete: \`/\${usersRoot}/:id\` },
};
`,
    'src/users/users.controller.ts': `import { Controller, Delete, Post } from '@nestjs/common';
import { routesV1 } from '../configs/app.routes';
@Controller(routesV1.version)
export class UsersController {
  @Post(routesV1.user.root)
  create() { return { ok: true }; }
  @Delete(routesV1.user.delete)
  remove() { return { ok: true }; }
}
`,
  });
  assert.deepEqual(entrypoints(model), ['entrypoint:DELETE /v1/users/:id', 'entrypoint:POST /v1/users']);
});
