import { Injectable } from '@nestjs/common';
import axios from 'axios';
import type { IntrospectionResponse } from './auth.types';

/**
 * Thin client for the identity provider's OAuth 2.0 endpoints.
 */
@Injectable()
export class IdpClient {
  private readonly issuer = process.env.IDP_ISSUER_URL;
  private readonly clientId = process.env.IDP_CLIENT_ID ?? 'portal-api';
  private readonly clientSecret = process.env.IDP_CLIENT_SECRET as string;

  async introspect(token: string): Promise<IntrospectionResponse> {
    const body = new URLSearchParams({
      token,
      client_id: this.clientId,
      client_secret: this.clientSecret,
    });

    const { data } = await axios.post<IntrospectionResponse>(
      `${this.issuer}/protocol/openid-connect/token/introspect`,
      body,
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    );

    return data;
  }
}
