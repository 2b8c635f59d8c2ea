import { BadRequestException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { Subscription, SubscriptionPlan, SubscriptionStatus } from '@prisma/client';
import Stripe from 'stripe';
import { PrismaService } from '@/database/prisma.service';
import type { AuthUser } from '../auth/auth.types';
import { OrganisationService } from '../organisation/organisation.service';
import { STRIPE_CLIENT } from './stripe.provider';

const STATUS_MAP: Record<Stripe.Subscription.Status, SubscriptionStatus> = {
  active: SubscriptionStatus.ACTIVE,
  trialing: SubscriptionStatus.TRIALING,
  past_due: SubscriptionStatus.PAST_DUE,
  unpaid: SubscriptionStatus.PAST_DUE,
  canceled: SubscriptionStatus.CANCELED,
  incomplete: SubscriptionStatus.PAST_DUE,
  incomplete_expired: SubscriptionStatus.CANCELED,
  paused: SubscriptionStatus.PAST_DUE,
};

@Injectable()
export class BillingService {
  private readonly logger = new Logger(BillingService.name);

  constructor(
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    private readonly prisma: PrismaService,
    private readonly organisationService: OrganisationService,
  ) {}

  async getCurrentSubscription(user: AuthUser): Promise<Subscription | null> {
    const membership = await this.organisationService.findMembershipForUser(user.id);
    if (!membership) return null;

    return this.prisma.subscription.findFirst({
      where: { organisationId: membership.organisationId },
      orderBy: { createdAt: 'desc' },
    });
  }

  async createCheckoutSession(user: AuthUser, orgCode: string): Promise<{ url: string }> {
    const organisation = await this.organisationService.findOrganisation(orgCode);
    if (!user.organisationIds.includes(organisation.id)) {
      throw new NotFoundException(`Organisation ${orgCode} not found`);
    }

    let customerId = organisation.stripeCustomerId;
    if (!customerId) {
      const customer = await this.stripe.customers.create({
        email: user.email,
        name: organisation.name,
        metadata: { organisationId: organisation.id },
      });
      customerId = customer.id;
      await this.prisma.organisation.update({
        where: { id: organisation.id },
        data: { stripeCustomerId: customerId },
      });
    }

    const session = await this.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customerId,
      line_items: [{ price: process.env.STRIPE_FOUNDER_PRICE_ID, quantity: 1 }],
      success_url: `${process.env.WEB_ORIGIN}/billing?status=success`,
      cancel_url: `${process.env.WEB_ORIGIN}/billing?status=cancelled`,
      metadata: { organisationId: organisation.id, userId: user.id },
    });

    if (!session.url) {
      throw new BadRequestException('Stripe did not return a checkout URL');
    }
    return { url: session.url };
  }

  async handleWebhook(payload: Buffer | undefined, signature: string | undefined): Promise<void> {
    if (!payload || !signature) {
      throw new BadRequestException('Missing webhook payload or signature');
    }

    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(payload, signature, process.env.STRIPE_WEBHOOK_SECRET as string);
    } catch (err) {
      this.logger.warn(`Rejected Stripe webhook: ${(err as Error).message}`);
      throw new BadRequestException('Invalid signature');
    }

    switch (event.type) {
      case 'checkout.session.completed':
        await this.onCheckoutCompleted(event.data.object);
        break;
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        await this.onSubscriptionChanged(event.data.object);
        break;
      default:
        this.logger.debug(`Ignoring Stripe event ${event.type}`);
    }
  }

  private async onCheckoutCompleted(session: Stripe.Checkout.Session): Promise<void> {
    const organisationId = session.metadata?.organisationId;
    const userId = session.metadata?.userId;
    if (!organisationId || !userId || typeof session.subscription !== 'string') {
      this.logger.warn(`Checkout session ${session.id} has no subscription metadata`);
      return;
    }

    const stripeSubscription = await this.stripe.subscriptions.retrieve(session.subscription);
    const status = STATUS_MAP[stripeSubscription.status];
    const currentPeriodEnd = new Date(stripeSubscription.current_period_end * 1000);

    await this.prisma.subscription.upsert({
      where: { stripeSubscriptionId: stripeSubscription.id },
      create: {
        organisationId,
        userId,
        plan: SubscriptionPlan.TEAM,
        status,
        stripeSubscriptionId: stripeSubscription.id,
        currentPeriodEnd,
      },
      update: { status, currentPeriodEnd },
    });
  }

  private async onSubscriptionChanged(subscription: Stripe.Subscription): Promise<void> {
    const { count } = await this.prisma.subscription.updateMany({
      where: { stripeSubscriptionId: subscription.id },
      data: {
        status: STATUS_MAP[subscription.status],
        currentPeriodEnd: new Date(subscription.current_period_end * 1000),
      },
    });
    if (count === 0) {
      this.logger.warn(`Stripe subscription ${subscription.id} is not known locally`);
    }
  }
}
