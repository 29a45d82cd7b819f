// A Vite plugin that prints each page's initial bundle (the entry script, the
// chunks it preloads and its style sheets), raw and gzipped, and fails the
// build when a page's initial JavaScript goes over its budget. Lazy chunks
// (routes, the map) are listed apart: they do not count.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

type Budgets = Record<string, number>;

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function sizes(file: string) {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The same-origin files a page loads before it runs: script, preloads, CSS. */
export function initialFiles(html: string): { js: string[]; css: string[] } {
  const js = new Set<string>();
  const css = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="\/([^"]+)"/g)) js.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)) js.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="\/([^"]+)"/g)) css.add(m[1]!);
  return { js: [...js], css: [...css] };
}

export function bundleBudget(budgets: Budgets): Plugin {
  let outDir = 'dist';
  return {
    name: 'tipline-bundle-budget',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const over: string[] = [];
      const initial = new Set<string>();
      const lines: string[] = ['', 'initial bundle per page (gzip -9):'];
      for (const [page, budget] of Object.entries(budgets)) {
        const { js, css } = initialFiles(readFileSync(join(outDir, page), 'utf8'));
        let raw = 0;
        let gzip = 0;
        for (const f of js) {
          initial.add(f);
          const s = sizes(join(outDir, f));
          raw += s.raw;
          gzip += s.gzip;
        }
        let cssRaw = 0;
        let cssGzip = 0;
        for (const f of css) {
          initial.add(f);
          const s = sizes(join(outDir, f));
          cssRaw += s.raw;
          cssGzip += s.gzip;
        }
        lines.push(
          `  ${page.padEnd(20)} JS ${kib(raw)} raw, ${kib(gzip)} gzip (budget ${kib(budget)}, ${js.length} files); CSS ${kib(cssRaw)} raw, ${kib(cssGzip)} gzip`,
        );
        if (gzip > budget) over.push(`${page}: ${kib(gzip)} > ${kib(budget)}`);
      }
      const lazy = readdirSync(join(outDir, 'assets'))
        .filter((f) => f.endsWith('.js') && !initial.has(`assets/${f}`))
        .sort();
      if (lazy.length) {
        lines.push('lazy chunks:');
        for (const f of lazy) {
          const s = sizes(join(outDir, 'assets', f));
          lines.push(`  ${f.padEnd(40)} ${kib(s.raw)} raw, ${kib(s.gzip)} gzip`);
        }
      }
      console.log(lines.join('\n'));
      if (over.length) {
        throw new Error(`initial JavaScript over budget: ${over.join('; ')}`);
      }
    },
  };
}
