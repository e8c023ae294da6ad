import { loadDotEnv, runOrExit } from './process.js';

loadDotEnv();
await runOrExit(async () => {
  const { createApp } = await import('./bootstrap.js');
  const { loadConfig } = await import('./config/config.js');
  const app = await createApp({ api: true, worker: false });
  await app.listen(loadConfig().PORT);
});
