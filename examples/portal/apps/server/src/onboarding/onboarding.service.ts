import { ConflictException, ForbiddenException, Injectable, Logger } from '@nestjs/common';
import {
  Deployment,
  DeploymentKind,
  DeploymentStatus,
  Organisation,
  OrganisationKind,
  OrganisationRole,
  Subscription,
  SubscriptionPlan,
  SubscriptionStatus,
  UserProfile,
} from '@prisma/client';
import { PrismaService } from '@/database/prisma.service';
import type { AuthUser } from '../auth/auth.types';
import { EmailService } from '../email/email.service';
import { OrganisationFactory } from '../organisation/organisation.factory';
import { OrganisationService } from '../organisation/organisation.service';
import {
  SaveBusinessInformationDto,
  SaveProfilePrecisDto,
  SaveQualificationDto,
  SetupDeploymentChoiceDto,
  SetupOrganisationHandleDto,
  SetupSoloHandleDto,
} from './dto/onboarding.dto';
import { computeQualificationScore, QualificationScore, summariseQualification } from './qualification-score';

const FOUNDER_PREVIEW_MONTHS = 6;

interface PlanChoice {
  plan: SubscriptionPlan;
  status: SubscriptionStatus;
  previewEndsAt: Date | null;
}

export interface HandleSetupResult {
  organisation: Organisation;
  profile: UserProfile;
}

export interface DeploymentChoiceResult {
  subscription: Subscription;
  deployment: Deployment;
}

@Injectable()
export class OnboardingService {
  private readonly logger = new Logger(OnboardingService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly organisationService: OrganisationService,
    private readonly organisationFactory: OrganisationFactory,
    private readonly emailService: EmailService,
  ) {}

  async isUserHandleAvailable(handle: string): Promise<boolean> {
    const normalised = handle.trim().toLowerCase();
    if (!normalised) return false;

    const [profile, organisation] = await Promise.all([
      this.prisma.userProfile.findUnique({ where: { userHandle: normalised }, select: { id: true } }),
      this.prisma.organisation.findUnique({ where: { handle: normalised }, select: { id: true } }),
    ]);

    return !profile && !organisation;
  }

  /** Step 1: name and personal handle. */
  async saveProfilePrecis(user: AuthUser, dto: SaveProfilePrecisDto): Promise<UserProfile> {
    await this.assertNotInvitedMember(user);

    const handle = dto.userHandle.toLowerCase();
    if (handle !== user.userHandle && !(await this.isUserHandleAvailable(handle))) {
      throw new ConflictException('Handle is already taken');
    }

    return this.prisma.userProfile.update({
      where: { userId: user.id },
      data: { name: dto.name.trim(), userHandle: handle },
    });
  }

  /** Step 2 (solo): a personal organisation owned by the user. */
  async setupSoloHandle(user: AuthUser, dto: SetupSoloHandleDto): Promise<HandleSetupResult> {
    await this.assertNotInvitedMember(user);

    const draft = this.organisationFactory.build({
      userId: user.id,
      handle: dto.handle,
      name: user.name ?? dto.handle,
      kind: OrganisationKind.SOLO_USER,
    });

    const organisation = await this.prisma.organisation.create({ data: draft.organisation });
    await this.prisma.organisationUser.create({
      data: { ...draft.firstMember, organisationId: organisation.id },
    });
    const profile = await this.prisma.userProfile.update({
      where: { userId: user.id },
      data: { isPublic: true },
    });

    return { organisation, profile };
  }

  /** Step 2 (team): an organisation with the user as its first admin. */
  async setupOrganisationHandle(user: AuthUser, dto: SetupOrganisationHandleDto): Promise<HandleSetupResult> {
    await this.assertNotInvitedMember(user);

    const draft = this.organisationFactory.build({
      userId: user.id,
      handle: dto.handle,
      name: dto.organisationName,
      kind: OrganisationKind.ORG,
    });

    const organisation = await this.prisma.organisation.create({ data: draft.organisation });
    await this.prisma.organisationUser.create({
      data: { ...draft.firstMember, organisationId: organisation.id },
    });
    const profile = await this.prisma.userProfile.findUniqueOrThrow({ where: { userId: user.id } });

    return { organisation, profile };
  }

  /** Step 3: score the qualification answers and record them. */
  async saveQualification(user: AuthUser, dto: SaveQualificationDto): Promise<QualificationScore & { id: string }> {
    await this.assertNotInvitedMember(user);
    const organisation = await this.organisationService.findOrganisation(dto.orgCode);

    const { score, tier } = computeQualificationScore(dto.answers);

    const qualification = await this.prisma.onboardingQualification.create({
      data: {
        organisationId: organisation.id,
        userId: user.id,
        role: dto.answers.role,
        teamSize: dto.answers.teamSize,
        systemTypes: dto.answers.systemTypes,
        challenges: dto.answers.challenges,
        tooling: dto.answers.tooling,
        score,
        tier,
      },
    });

    await this.prisma.userProfile.update({
      where: { userId: user.id },
      data: { title: dto.answers.role },
    });

    await this.prisma.organisation.update({
      where: { id: organisation.id },
      data: { businessDescription: summariseQualification(dto.answers) },
    });

    return { id: qualification.id, score, tier };
  }

  /** @deprecated superseded by {@link saveQualification}. */
  async saveBusinessInformation(user: AuthUser, dto: SaveBusinessInformationDto): Promise<Organisation> {
    await this.assertNotInvitedMember(user);
    const organisation = await this.organisationService.findOrganisation(dto.orgCode);

    return this.prisma.organisation.update({
      where: { id: organisation.id },
      data: { businessDescription: dto.businessDescription },
    });
  }

  /** Step 4: subscription, deployment and the notification to the support team. */
  async setupDeploymentChoice(user: AuthUser, dto: SetupDeploymentChoiceDto): Promise<DeploymentChoiceResult> {
    await this.assertNotInvitedMember(user);
    const organisation = await this.organisationService.findOrganisation(dto.orgCode);
    const choice = this.resolvePlan(user.email);

    const subscription = await this.prisma.subscription.create({
      data: {
        organisationId: organisation.id,
        userId: user.id,
        plan: choice.plan,
        status: choice.status,
        previewEndsAt: choice.previewEndsAt,
      },
    });

    const isSaas = dto.deploymentKind === DeploymentKind.SAAS;
    const deployment = await this.prisma.deployment.create({
      data: {
        organisationId: organisation.id,
        subscriptionId: subscription.id,
        kind: dto.deploymentKind,
        status: isSaas ? DeploymentStatus.COMPLETED : DeploymentStatus.PENDING,
        platformUrl: isSaas ? `https://${organisation.handle}.portal.example.com` : null,
        region: dto.region ?? null,
      },
    });

    await this.prisma.userProfile.update({
      where: { userId: user.id },
      data: { subscriptionStatus: choice.status },
    });

    this.emailService
      .sendOnboardingNotification({
        userEmail: user.email,
        userName: user.name,
        organisationName: organisation.name,
        plan: choice.plan,
        deploymentKind: dto.deploymentKind,
      })
      .catch((err) =>
        this.logger.error(
          `Onboarding notification for ${organisation.orgCode} failed`,
          err instanceof Error ? err.stack : String(err),
        ),
      );

    return { subscription, deployment };
  }

  private async assertNotInvitedMember(user: AuthUser): Promise<void> {
    const membership = await this.organisationService.findMembershipForUser(user.id);
    if (membership?.invited && membership.role !== OrganisationRole.ADMIN) {
      throw new ForbiddenException('Invited members cannot change onboarding settings');
    }
  }

  private resolvePlan(email: string): PlanChoice {
    if (process.env.BILLING_MODE === 'stripe-trial') {
      return { plan: SubscriptionPlan.FREE, status: SubscriptionStatus.ACTIVE, previewEndsAt: null };
    }

    const rootAdmins = (process.env.ROOT_ADMIN_EMAILS ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean);

    const previewEndsAt = new Date();
    previewEndsAt.setMonth(previewEndsAt.getMonth() + FOUNDER_PREVIEW_MONTHS);

    return {
      plan: SubscriptionPlan.FOUNDER,
      status: rootAdmins.includes(email.toLowerCase()) ? SubscriptionStatus.ACTIVE : SubscriptionStatus.WAITLIST,
      previewEndsAt,
    };
  }
}
