import serverlessExpress from '@codegenie/serverless-express';
import type { Callback, Context, Handler } from 'aws-lambda';
import { createApp } from './app.factory';

let server: Handler | undefined;

async function bootstrapServer(): Promise<Handler> {
  const app = await createApp();
  await app.init();
  const expressApp = app.getHttpAdapter().getInstance();
  return serverlessExpress({ app: expressApp });
}

export const handler: Handler = async (event: unknown, context: Context, callback: Callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  server = server ?? (await bootstrapServer());
  return server(event, context, callback);
};
