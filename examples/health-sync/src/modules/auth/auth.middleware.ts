import type { RequestHandler } from 'express';
import { AppError } from '../../lib/errors';
import { type AuthPrincipal, authService } from './auth.service';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: AuthPrincipal;
    }
  }
}

export const requireAuth: RequestHandler = async (req, _res, next) => {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) {
    next(AppError.unauthorized('Missing bearer token'));
    return;
  }

  try {
    req.auth = await authService.authenticate(header.slice('Bearer '.length));
    next();
  } catch (err) {
    next(err);
  }
};

/** The authenticated principal; only valid behind {@link requireAuth}. */
export function principalOf(req: Express.Request): AuthPrincipal {
  if (!req.auth) throw AppError.unauthorized();
  return req.auth;
}
