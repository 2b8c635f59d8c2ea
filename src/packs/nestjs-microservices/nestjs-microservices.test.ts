import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';
import type { Model } from '../../model/types.js';
import floatingPromise from '../../rules/async/floating-promise.js';

const scan = (files: Record<string, string>) => scanModel(files, { rules: [] });
const workers = (m: Model) => m.nodes.filter((n) => n.kind === 'entrypoint' && n.trigger === 'worker').map((n) => `${n.id} @${n.evidence[0].file}:${n.evidence[0].line}`).sort();
const consumes = (m: Model) => m.edges.filter((e) => e.kind === 'consumes').map((e) => `${e.from} -> ${e.to}`).sort();
const pkg = JSON.stringify({ name: 'orders', dependencies: { '@nestjs/common': '^10.3.0', '@nestjs/core': '^10.3.0', '@nestjs/microservices': '^10.3.0', '@prisma/client': '^5.0.0', kafkajs: '^2.2.4' } });

const prisma = `import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit {
  async onModuleInit() { await this.$connect(); }
}
`;

test('nestjs microservices: @EventPattern/@MessagePattern handlers on a Kafka transport consume their topic; a ClientKafka emit publishes to it (an Observable: no floating promise)', async () => {
  const model = await scanModel({
    'package.json': pkg,
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
import { Transport, MicroserviceOptions } from '@nestjs/microservices';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.KAFKA,
    options: { client: { brokers: [process.env.KAFKA_BROKER!] }, consumer: { groupId: 'billing' } },
  });
  await app.startAllMicroservices();
  await app.listen(3000);
}
bootstrap();
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { BillingController } from './billing/billing.controller';
import { OrdersController } from './orders/orders.controller';
import { PrismaService } from './prisma.service';

@Module({
  imports: [
    ClientsModule.register([{ name: 'BILLING_EVENTS', transport: Transport.KAFKA, options: { client: { brokers: [process.env.KAFKA_BROKER!] } } }]),
  ],
  controllers: [BillingController, OrdersController],
  providers: [PrismaService],
})
export class AppModule {}
`,
    'src/prisma.service.ts': prisma,
    'src/billing/billing.controller.ts': `import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { PrismaService } from '../prisma.service';

export const INVOICE_REQUESTED = 'billing.invoice-requested';

@Controller()
export class BillingController {
  constructor(private readonly prisma: PrismaService) {}

  @EventPattern('orders.created')
  async onOrderCreated(@Payload() order: { id: string; total: number }) {
    await this.prisma.invoice.create({ data: { orderId: order.id, total: order.total } });
  }

  @MessagePattern(INVOICE_REQUESTED)
  getInvoice(@Payload() req: { orderId: string }) {
    return this.prisma.invoice.findFirst({ where: { orderId: req.orderId } });
  }

  helper() {
    return 'not a handler';
  }
}
`,
    'src/orders/orders.controller.ts': `import { Body, Controller, Inject, Post } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';

@Controller('orders')
export class OrdersController {
  constructor(@Inject('BILLING_EVENTS') private readonly events: ClientKafka) {}

  @Post()
  create(@Body() body: { id: string; total: number }) {
    this.events.emit('orders.created', body);
    return { accepted: true };
  }
}
`,
  }, { rules: [floatingPromise] });
  assert.deepEqual(model.findings.filter((f) => f.rule === 'async/floating-promise').map((f) => f.title), []);
  assert.deepEqual(workers(model), [
    'entrypoint:worker:kafka-billing.invoice-requested @src/billing/billing.controller.ts:16',
    'entrypoint:worker:kafka-orders.created @src/billing/billing.controller.ts:11',
  ]);
  assert.deepEqual(consumes(model), [
    'entrypoint:worker:kafka-billing.invoice-requested -> queue:kafka-billing.invoice-requested',
    'entrypoint:worker:kafka-orders.created -> queue:kafka-orders.created',
  ]);
  const reach = (to: string) => [...new Set(model.edges.filter((e) => e.to === to && e.kind !== 'consumes').flatMap((e) => e.entrypoints ?? [e.from]))].sort();
  assert.deepEqual(reach('datastore:postgres'), ['entrypoint:worker:kafka-billing.invoice-requested', 'entrypoint:worker:kafka-orders.created']);
  assert.deepEqual(reach('queue:kafka-orders.created'), ['entrypoint:POST /orders']);
});

test('nestjs microservices: a RabbitMQ transport carries every pattern on its one queue — one consumer per pattern', async () => {
  const model = await scan({
    'package.json': pkg,
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
import { Transport } from '@nestjs/microservices';
import { AppModule } from './app.module';

const rmq = { transport: Transport.RMQ, options: { urls: [process.env.AMQP_URL!], queue: 'notifications', queueOptions: { durable: true } } };

async function bootstrap() {
  const app = await NestFactory.createMicroservice(AppModule, rmq);
  await app.listen();
}
bootstrap();
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
@Module({ controllers: [NotificationsController] })
export class AppModule {}
`,
    'src/notifications.controller.ts': `import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';

@Controller()
export class NotificationsController {
  @EventPattern('user.signed-up')
  welcome(data: { email: string }) {
    return fetch('https://api.mailer.example.com/send', { method: 'POST', body: JSON.stringify(data), signal: AbortSignal.timeout(5000) });
  }

  @MessagePattern({ cmd: 'unsubscribe' })
  unsubscribe(data: { email: string }) {
    return { ok: true, email: data.email };
  }
}
`,
  });
  assert.deepEqual(workers(model), [
    'entrypoint:worker:amqp-notifications:unsubscribe @src/notifications.controller.ts:11',
    'entrypoint:worker:amqp-notifications:user.signed-up @src/notifications.controller.ts:6',
  ]);
  assert.deepEqual([...new Set(consumes(model))], [
    'entrypoint:worker:amqp-notifications:unsubscribe -> queue:amqp-notifications',
    'entrypoint:worker:amqp-notifications:user.signed-up -> queue:amqp-notifications',
  ]);
});

test('nestjs microservices: patterns on a TCP (default) transport, handlers outside a controller, and a client with no known transport give no worker or queue (traps)', async () => {
  const model = await scan({
    'package.json': pkg,
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
async function bootstrap() {
  const app = await NestFactory.createMicroservice(AppModule, { options: { port: 4000 } });
  await app.listen();
}
bootstrap();
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { MathController } from './math.controller';
@Module({ controllers: [MathController] })
export class AppModule {}
`,
    'src/math.controller.ts': `import { Controller, Get, Inject } from '@nestjs/common';
import { ClientProxy, MessagePattern } from '@nestjs/microservices';

@Controller('math')
export class MathController {
  constructor(@Inject('MATH') private readonly client: ClientProxy) {}

  @MessagePattern({ cmd: 'sum' })
  sum(data: number[]) {
    return data.reduce((a, b) => a + b, 0);
  }

  @Get('double')
  double() {
    return this.client.send({ cmd: 'sum' }, [2, 2]);
  }
}

export class NotAController {
  @MessagePattern('stray')
  stray() {
    return 1;
  }
}
`,
  });
  assert.deepEqual(workers(model), []);
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'queue').map((n) => n.id), []);
  assert.deepEqual(model.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id), ['entrypoint:GET /math/double']);
});
