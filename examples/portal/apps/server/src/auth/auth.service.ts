import { Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { PrismaService } from '@/database/prisma.service';
import type { AuthUser } from './auth.types';
import { IdpClient } from './idp.client';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly idpClient: IdpClient,
    private readonly prisma: PrismaService,
  ) {}

  /**
   * Validates an access token with the IdP and resolves (or provisions) the local user.
   */
  async authenticate(token: string): Promise<AuthUser> {
    const claims = await this.idpClient.introspect(token);
    if (!claims.active || !claims.sub) {
      throw new UnauthorizedException('Token is not active');
    }

    let user = await this.prisma.user.findUnique({
      where: { externalId: claims.sub },
      include: { profile: true, memberships: { select: { organisationId: true } } },
    });

    if (!user) {
      if (!claims.email) {
        throw new UnauthorizedException('Token has no email claim');
      }
      this.logger.log(`Provisioning user for subject ${claims.sub}`);
      user = await this.prisma.user.create({
        data: {
          externalId: claims.sub,
          email: claims.email.toLowerCase(),
          profile: { create: {} },
        },
        include: { profile: true, memberships: { select: { organisationId: true } } },
      });
    }

    return {
      id: user.id,
      externalId: user.externalId,
      email: user.email,
      name: user.profile?.name ?? null,
      userHandle: user.profile?.userHandle ?? null,
      organisationIds: user.memberships.map((m) => m.organisationId),
    };
  }
}
