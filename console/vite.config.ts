import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into console/dist, which the API process serves (same origin, so the API needs no CORS).
// `npm run dev -w console` proxies the API to a local `npm run demo` on port 3000.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
