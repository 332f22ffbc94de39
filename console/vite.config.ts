// Built into dist/ and served by the API under /console; `npm run dev` serves it with hot
// reload and forwards the API and Socket.IO to a running `make dev` (ATRIUM_API, default
// http://127.0.0.1:8000), so the page and the API share one origin as in production.
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const api = process.env.ATRIUM_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/console/",
  plugins: [vue()],
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    chunkSizeWarningLimit: 400,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": api,
      "/socket.io": { target: api, ws: true },
    },
  },
});
