/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { bundleBudget } from './scripts/bundle-budget.ts';
import { serviceWorker } from './scripts/service-worker.ts';

// Two pages, one build: the reporter's app at `/` and the staff console at
// `/console/`. They share chunks under `dist/assets/`, whose names carry a
// content hash (the binary serves them `immutable`). Nothing in the output
// depends on the time or the checkout's path, so two builds are identical.
export default defineConfig({
  base: '/',
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    // Small images stay files: Leaflet-style icon paths and the CSP's img-src
    // both behave the same in dev and production that way.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: {
      input: {
        reporter: 'index.html',
        console: 'console/index.html',
      },
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        codeSplitting: {
          groups: [
            // The framework both apps load first, in one long-cached chunk.
            // Named packages only: a library a lazy chunk brings (Leaflet)
            // must stay in that chunk, not join the initial load.
            {
              name: 'vendor',
              test: /node_modules[\\/](preact|preact-iso|@preact[\\/]signals|@preact[\\/]signals-core|openapi-fetch)[\\/]/,
            },
          ],
        },
      },
    },
  },
  plugins: [
    // Initial JS (the page's script and what it preloads), gzipped.
    bundleBudget({ 'index.html': 60 * 1024, 'console/index.html': 100 * 1024 }),
    // The reporter's offline shell: dist/sw.js with this build's file list.
    serviceWorker({
      entry: 'reporter',
      template: 'src/reporter/sw/sw.js',
      extra: ['/manifest.webmanifest', '/icon-192.png', '/icon-512.png', '/icon-maskable-512.png'],
    }),
  ],
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
    restoreMocks: true,
  },
});
