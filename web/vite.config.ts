import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = 'http://127.0.0.1:8080';

// Vendor code changes far less often than the app: separate chunks keep each one small
// and let browsers keep them cached across deploys.
const vendorChunks: Array<{ name: string; test: RegExp; priority: number }> = [
  { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom)[\\/]/, priority: 40 },
  { name: 'mui', test: /[\\/]node_modules[\\/](@mui|@emotion|@popperjs)[\\/]/, priority: 30 },
  { name: 'react-admin', test: /[\\/]node_modules[\\/](react-admin|ra-[^\\/]+|@tanstack|react-hook-form|lodash|inflection|query-string)[\\/]/, priority: 20 },
  // Loaded with the first runbook shown (web/src/runbooks/markdown.tsx), not with the first page.
  { name: 'markdown', test: /[\\/]node_modules[\\/](react-markdown|remark-[^\\/]+|rehype-[^\\/]+|unified|micromark[^\\/]*|mdast-[^\\/]+|hast-[^\\/]+|unist-[^\\/]+|vfile[^\\/]*)[\\/]/, priority: 15 },
  // Only the SLO show page (loaded lazily) draws charts: recharts and its d3/redux parts stay out of the first load.
  { name: 'charts', test: /[\\/]node_modules[\\/](recharts|victory-vendor|d3-[^\\/]+|internmap|@reduxjs|redux|redux-thunk|react-redux|reselect|immer|es-toolkit|decimal\.js-light|tiny-invariant)[\\/]/, priority: 12 },
  { name: 'vendor', test: /[\\/]node_modules[\\/]/, priority: 10 },
];

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Rolldown's replacement for Rollup's manualChunks (deprecated in Vite 8).
        codeSplitting: { groups: vendorChunks },
      },
    },
  },
  server: {
    proxy: {
      '/api': api,
      '/healthz': api,
      '/slack': api,
    },
  },
});
