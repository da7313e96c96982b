// The dashboard's build: a React SPA served by Picora at /app/ (src/http/plugins/web-app.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/app/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    chunkSizeWarningLimit: 600,
    // React Router and TanStack Query mark modules "use client" (for server components): meaningless in an SPA
    rolldownOptions: { onLog: (level, log, handler) => (log.code === 'MODULE_LEVEL_DIRECTIVE' ? undefined : handler(level, log)) },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787' } },
});
