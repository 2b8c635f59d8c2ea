import {
  CognitoIdentityProviderClient,
  GetUserCommand,
  GetUserCommandOutput,
  InitiateAuthCommand,
  InitiateAuthCommandOutput,
  NotAuthorizedException,
  SignUpCommand,
  SignUpCommandOutput,
  UserNotConfirmedException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import CircuitBreaker from 'opossum';
import { createHash } from 'node:crypto';
import { env } from '../../lib/env';
import { AppError } from '../../lib/errors';
import { logger } from '../../lib/logger';
import { prisma } from '../../lib/prisma';
import { CacheService, cacheService } from '../cache/cache.service';

export interface AuthPrincipal {
  userId: string;
  cognitoSub: string;
  email: string;
}

export interface AuthTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresIn: number;
}

const PRINCIPAL_CACHE_TTL_SECONDS = 300;

const cognito = new CognitoIdentityProviderClient({
  region: env.AWS_REGION,
  maxAttempts: 2,
  requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }),
});

const CLIENT_ERRORS = [NotAuthorizedException, UserNotConfirmedException, UsernameExistsException];
const isClientError = (err: unknown) => CLIENT_ERRORS.some((type) => err instanceof type);

const cognitoBreaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
  name: 'cognito',
  timeout: 8_000,
  errorThresholdPercentage: 50,
  volumeThreshold: 10,
  resetTimeout: 30_000,
  errorFilter: isClientError,
});

cognitoBreaker.on('open', () => logger.error('cognito circuit opened'));
cognitoBreaker.on('halfOpen', () => logger.warn('cognito circuit half-open'));
cognitoBreaker.on('close', () => logger.info('cognito circuit closed'));

async function sendCognito<T>(call: () => Promise<T>): Promise<T> {
  try {
    return (await cognitoBreaker.fire(call)) as T;
  } catch (err) {
    if (isClientError(err)) throw err;
    if (cognitoBreaker.opened) {
      throw AppError.serviceUnavailable('AUTH_UNAVAILABLE', 'Authentication is temporarily unavailable', 30_000);
    }
    throw err;
  }
}

export class AuthService {
  constructor(private readonly cache: CacheService) {}

  async authenticate(accessToken: string): Promise<AuthPrincipal> {
    const cacheKey = `auth:principal:${createHash('sha256').update(accessToken).digest('hex')}`;
    const cached = await this.cache.get<AuthPrincipal>(cacheKey);
    if (cached) return cached;

    let cognitoUser: GetUserCommandOutput;
    try {
      cognitoUser = await sendCognito(() => cognito.send(new GetUserCommand({ AccessToken: accessToken })));
    } catch (err) {
      if (err instanceof NotAuthorizedException) {
        throw AppError.unauthorized('Invalid or expired token');
      }
      throw err;
    }

    const sub = cognitoUser.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    if (!sub) throw AppError.unauthorized('Token has no subject');

    const user = await prisma.user.findUnique({
      where: { cognitoSub: sub },
      select: { id: true, email: true },
    });
    if (!user) throw AppError.unauthorized('Account is not provisioned');

    const principal: AuthPrincipal = { userId: user.id, cognitoSub: sub, email: user.email };
    await this.cache.set(cacheKey, principal, PRINCIPAL_CACHE_TTL_SECONDS);
    return principal;
  }

  async signUp(email: string, password: string): Promise<{ userId: string; confirmed: boolean }> {
    let result: SignUpCommandOutput;
    try {
      result = await sendCognito(() =>
        cognito.send(
          new SignUpCommand({
            ClientId: env.COGNITO_CLIENT_ID,
            Username: email,
            Password: password,
            UserAttributes: [{ Name: 'email', Value: email }],
          }),
        ),
      );
    } catch (err) {
      if (err instanceof UsernameExistsException) {
        throw AppError.conflict('CONFLICT', 'An account with this email already exists');
      }
      throw err;
    }

    const user = await prisma.user.upsert({
      where: { cognitoSub: result.UserSub! },
      create: { cognitoSub: result.UserSub!, email: email.toLowerCase() },
      update: {},
    });

    return { userId: user.id, confirmed: Boolean(result.UserConfirmed) };
  }

  async login(email: string, password: string): Promise<AuthTokens> {
    try {
      const result = await sendCognito(() =>
        cognito.send(
          new InitiateAuthCommand({
            ClientId: env.COGNITO_CLIENT_ID,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: email, PASSWORD: password },
          }),
        ),
      );
      return toTokens(result);
    } catch (err) {
      if (err instanceof NotAuthorizedException || err instanceof UserNotConfirmedException) {
        throw AppError.unauthorized('Incorrect email or password');
      }
      throw err;
    }
  }

  async refresh(refreshToken: string): Promise<AuthTokens> {
    try {
      const result = await sendCognito(() =>
        cognito.send(
          new InitiateAuthCommand({
            ClientId: env.COGNITO_CLIENT_ID,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          }),
        ),
      );
      return { ...toTokens(result), refreshToken };
    } catch (err) {
      if (err instanceof NotAuthorizedException) {
        throw AppError.unauthorized('Refresh token is invalid or expired');
      }
      throw err;
    }
  }
}

function toTokens(result: InitiateAuthCommandOutput): AuthTokens {
  const auth = result.AuthenticationResult;
  if (!auth?.AccessToken) {
    throw AppError.unauthorized('Additional authentication challenge required');
  }
  return {
    accessToken: auth.AccessToken,
    refreshToken: auth.RefreshToken,
    idToken: auth.IdToken,
    expiresIn: auth.ExpiresIn ?? 3600,
  };
}

export const authService = new AuthService(cacheService);
