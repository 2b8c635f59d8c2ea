import type { Request } from 'express';

export interface AuthUser {
  id: string;
  externalId: string;
  email: string;
  name: string | null;
  userHandle: string | null;
  organisationIds: string[];
}

export interface AuthenticatedRequest extends Request {
  user: AuthUser;
}

/** RFC 7662 token introspection response, as returned by the IdP. */
export interface IntrospectionResponse {
  active: boolean;
  sub?: string;
  email?: string;
  exp?: number;
  scope?: string;
  client_id?: string;
}
