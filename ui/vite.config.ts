import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The SPA is served by the Go binary from ui/dist; in development Vite proxies
// the API to a local `make run`.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8090', ws: false },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
})
