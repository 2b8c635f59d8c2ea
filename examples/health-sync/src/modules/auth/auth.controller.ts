import type { Request, Response } from 'express';
import { z } from 'zod';
import { principalOf } from './auth.middleware';
import { AuthService, authService } from './auth.service';

const CredentialsSchema = z.object({
  email: z.string().email().max(254),
  password: z.string().min(8).max(256),
});

const RefreshSchema = z.object({ refreshToken: z.string().min(1) });

export class AuthController {
  constructor(private readonly auth: AuthService) {}

  signUp = async (req: Request, res: Response) => {
    const { email, password } = CredentialsSchema.parse(req.body);
    const result = await this.auth.signUp(email, password);
    res.status(201).json(result);
  };

  login = async (req: Request, res: Response) => {
    const { email, password } = CredentialsSchema.parse(req.body);
    res.json(await this.auth.login(email, password));
  };

  refresh = async (req: Request, res: Response) => {
    const { refreshToken } = RefreshSchema.parse(req.body);
    res.json(await this.auth.refresh(refreshToken));
  };

  me = (req: Request, res: Response) => {
    const { userId, email } = principalOf(req);
    res.json({ userId, email });
  };
}

export const authController = new AuthController(authService);
