import { Injectable } from '@nestjs/common';
import { OrganisationKind, OrganisationRole, Prisma } from '@prisma/client';
import { randomBytes } from 'crypto';

export interface OrganisationDraft {
  organisation: Prisma.OrganisationUncheckedCreateInput;
  firstMember: Omit<Prisma.OrganisationUserUncheckedCreateInput, 'organisationId'>;
}

/**
 * Builds the records that make up a new organisation. Pure: no persistence.
 */
@Injectable()
export class OrganisationFactory {
  build(params: { userId: string; handle: string; name: string; kind: OrganisationKind }): OrganisationDraft {
    return {
      organisation: {
        orgCode: this.generateOrgCode(),
        handle: params.handle.toLowerCase(),
        name: params.name.trim(),
        kind: params.kind,
      },
      firstMember: {
        userId: params.userId,
        role: OrganisationRole.ADMIN,
        invited: false,
      },
    };
  }

  generateOrgCode(): string {
    return `org_${randomBytes(6).toString('hex')}`;
  }
}
