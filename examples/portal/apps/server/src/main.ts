import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';

export { handler } from './lambda';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const port = Number(process.env.PORT ?? 4000);
  await app.listen(port);
  Logger.log(`Portal API listening on http://localhost:${port}/api`, 'Bootstrap');
}

if (require.main === module) {
  bootstrap().catch((err) => {
    Logger.error(err, 'Bootstrap');
    process.exit(1);
  });
}
