import { createAdapter } from '@socket.io/redis-adapter';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { corsOrigins } from '../../lib/env';
import { logger } from '../../lib/logger';
import { redis } from '../../lib/redis';
import { type AuthPrincipal, authService } from '../auth/auth.service';

interface SocketData {
  principal: AuthPrincipal;
}

let io: Server | undefined;

const userRoom = (userId: string) => `user:${userId}`;

export function initSocketServer(httpServer: HttpServer): Server {
  const pubClient = redis.duplicate();
  const subClient = redis.duplicate();

  io = new Server(httpServer, {
    cors: { origin: corsOrigins, credentials: true },
    adapter: createAdapter(pubClient, subClient),
    pingInterval: 25_000,
    pingTimeout: 20_000,
  });

  io.use(async (socket: Socket, next) => {
    const token = socket.handshake.auth?.token as string | undefined;
    if (!token) {
      next(new Error('unauthorized'));
      return;
    }
    try {
      (socket.data as SocketData).principal = await authService.authenticate(token);
      next();
    } catch (err) {
      next(err instanceof Error ? err : new Error('unauthorized'));
    }
  });

  io.on('connection', (socket) => {
    const { userId } = (socket.data as SocketData).principal;
    socket.join(userRoom(userId));
    logger.debug({ userId, socketId: socket.id }, 'socket connected');

    socket.on('disconnect', (reason) => {
      logger.debug({ userId, socketId: socket.id, reason }, 'socket disconnected');
    });
  });

  return io;
}

/** Pushes an event to every connected device of a user, on any API instance. */
export function emitToUser(userId: string, event: string, payload: unknown): void {
  io?.to(userRoom(userId)).emit(event, payload);
}

export async function closeSocketServer(): Promise<void> {
  await io?.close();
}
