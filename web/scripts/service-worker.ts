// A Vite plugin that writes dist/sw.js from src/reporter/sw/sw.js with the
// list of the files the reporter's app can load: its page, every chunk
// reachable from its entry (lazy ones too: the English catalogue, the map),
// their style sheets and assets, the manifest and icons. The version is a
// hash of that list (names carry content hashes), so a build is
// reproducible and a changed file means a new cache.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

interface ChunkLike {
  type: 'chunk';
  fileName: string;
  name: string;
  isEntry: boolean;
  imports: string[];
  dynamicImports: string[];
  viteMetadata?: { importedCss: Set<string>; importedAssets: Set<string> };
}

export function serviceWorker(opts: { entry: string; template: string; extra: string[] }): Plugin {
  return {
    name: 'tipline-service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, ChunkLike>();
      for (const item of Object.values(bundle)) {
        if (item.type === 'chunk') chunks.set(item.fileName, item as unknown as ChunkLike);
      }
      const entry = [...chunks.values()].find((c) => c.isEntry && c.name === opts.entry);
      if (!entry) throw new Error(`service worker: no entry chunk named ${opts.entry}`);
      const files = new Set<string>();
      const walk = (c: ChunkLike) => {
        if (files.has(c.fileName)) return;
        files.add(c.fileName);
        for (const css of c.viteMetadata?.importedCss ?? []) files.add(css);
        for (const a of c.viteMetadata?.importedAssets ?? []) files.add(a);
        for (const i of [...c.imports, ...c.dynamicImports]) {
          const next = chunks.get(i);
          if (next) walk(next);
        }
      };
      walk(entry);
      const list = ['/index.html', ...opts.extra, ...[...files].sort().map((f) => `/${f}`)];
      const version = createHash('sha256').update(list.join('\n')).digest('hex').slice(0, 16);
      const source = readFileSync(opts.template, 'utf8').replace(
        '__TIPLINE_PRECACHE__',
        JSON.stringify({ version, files: list }),
      );
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}
