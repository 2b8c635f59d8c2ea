import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { Organisation, OrganisationRole, OrganisationUser, Prisma } from '@prisma/client';
import { randomBytes } from 'crypto';
import { PrismaService } from '@/database/prisma.service';
import type { AuthUser } from '../auth/auth.types';
import { EmailService } from '../email/email.service';
import { CreateOrganisationDto, InviteMemberDto, OrganisationMemberView } from './organisation.dto';
import { OrganisationFactory } from './organisation.factory';

const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type MembershipWithOrganisation = OrganisationUser & { organisation: Organisation };

@Injectable()
export class OrganisationService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly factory: OrganisationFactory,
    private readonly emailService: EmailService,
  ) {}

  async findOrganisation(orgCode: string): Promise<Organisation> {
    const organisation = await this.prisma.organisation.findUnique({ where: { orgCode } });
    if (!organisation) {
      throw new NotFoundException(`Organisation ${orgCode} not found`);
    }
    return organisation;
  }

  /** The user's primary (oldest) membership, if any. */
  async findMembershipForUser(userId: string): Promise<MembershipWithOrganisation | null> {
    return this.prisma.organisationUser.findFirst({
      where: { userId },
      include: { organisation: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  async createOrganisation(userId: string, dto: CreateOrganisationDto): Promise<Organisation> {
    const draft = this.factory.build({ userId, handle: dto.handle, name: dto.name, kind: dto.kind });

    try {
      return await this.prisma.$transaction(async (tx) => {
        const organisation = await tx.organisation.create({ data: draft.organisation });
        await tx.organisationUser.create({
          data: { ...draft.firstMember, organisationId: organisation.id },
        });
        return organisation;
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new ConflictException('Handle is already taken');
      }
      throw err;
    }
  }

  async listMembers(orgCode: string, requester: AuthUser): Promise<OrganisationMemberView[]> {
    const organisation = await this.findOrganisation(orgCode);
    this.assertMember(organisation.id, requester);

    const members = await this.prisma.organisationUser.findMany({
      where: { organisationId: organisation.id },
      include: { user: { include: { profile: true } } },
      orderBy: { createdAt: 'asc' },
    });

    return members.map((m) => ({
      userId: m.userId,
      email: m.user.email,
      name: m.user.profile?.name ?? null,
      role: m.role,
      invited: m.invited,
      joinedAt: m.createdAt,
    }));
  }

  async inviteMember(orgCode: string, inviter: AuthUser, dto: InviteMemberDto): Promise<{ invitationId: string }> {
    const organisation = await this.findOrganisation(orgCode);
    const membership = await this.prisma.organisationUser.findUnique({
      where: { organisationId_userId: { organisationId: organisation.id, userId: inviter.id } },
    });
    if (membership?.role !== OrganisationRole.ADMIN) {
      throw new ForbiddenException('Only organisation admins can invite members');
    }

    const token = randomBytes(24).toString('base64url');
    const invitation = await this.prisma.organisationInvitation.create({
      data: {
        organisationId: organisation.id,
        email: dto.email.toLowerCase(),
        role: dto.role ?? OrganisationRole.MEMBER,
        token,
        invitedById: inviter.id,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      },
    });

    await this.emailService.sendInvitationEmail(dto.email, {
      organisationName: organisation.name,
      inviterName: inviter.name,
      acceptUrl: `${process.env.WEB_ORIGIN}/invitations/${token}`,
    });

    return { invitationId: invitation.id };
  }

  private assertMember(organisationId: string, user: AuthUser): void {
    if (!user.organisationIds.includes(organisationId)) {
      throw new ForbiddenException('Not a member of this organisation');
    }
  }
}
