/**
 * Static files of the local runtime: the inspector page (`local/inspector/`, plain ES modules, no build step) under
 * `/_local/`, the graph layout library from node_modules through one fixed route, and the project's generated
 * OpenAPI document at `/openapi.json`. Only regular files inside the inspector directory with a known extension are
 * served; anything else is a 404.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

export const INSPECTOR_DIR = resolve(__dirname, '..', 'inspector');

/** The fixed vendor routes: URL path under `/_local/vendor/` → module specifier resolved from node_modules. */
const VENDOR: Readonly<Record<string, string>> = {
  'elk.bundled.js': 'elkjs/lib/elk.bundled.js',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function notFound(res: ServerResponse, message: string): void {
  const text = JSON.stringify({ message });
  res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function sendFile(res: ServerResponse, file: string, headOnly: boolean, cacheControl: string): Promise<boolean> {
  const type = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!type) return false;
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    size = info.size;
  } catch {
    return false;
  }
  res.writeHead(200, {
    'content-type': type,
    'content-length': size,
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
  });
  if (headOnly) {
    res.end();
    return true;
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    stream.on('end', () => done());
    stream.pipe(res);
  });
  return true;
}

/**
 * A path relative to the inspector directory, or undefined when it would leave it (`..`, absolute, NUL, backslash,
 * bad percent-encoding).
 */
export function inspectorFile(relative: string, root = INSPECTOR_DIR): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded === '' || decoded.includes('\0') || decoded.includes('\\') || decoded.startsWith('/')) return undefined;
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) return undefined;
  const file = resolve(root, decoded);
  return file.startsWith(root + sep) ? file : undefined;
}

/**
 * Serves `GET|HEAD /_local/` (the page), `/_local/inspector/<file>` and `/_local/vendor/<name>`; returns false for
 * any other path.
 */
export async function handleStatic(method: string, pathname: string, res: ServerResponse): Promise<boolean> {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const headOnly = method === 'HEAD';
  if (pathname === '/_local') {
    res.writeHead(308, { location: '/_local/' });
    res.end();
    return true;
  }
  if (pathname === '/_local/' || pathname === '/_local/index.html') {
    if (!(await sendFile(res, join(INSPECTOR_DIR, 'index.html'), headOnly, 'no-cache')))
      notFound(res, `The inspector page is missing: ${join(INSPECTOR_DIR, 'index.html')}`);
    return true;
  }
  if (pathname.startsWith('/_local/inspector/')) {
    const file = inspectorFile(pathname.slice('/_local/inspector/'.length));
    // Symbolic links must not lead out of the directory either.
    const root = await realpath(INSPECTOR_DIR).catch(() => INSPECTOR_DIR);
    const real = file ? await realpath(file).catch(() => undefined) : undefined;
    if (real === undefined || !real.startsWith(root + sep) || !(await sendFile(res, real, headOnly, 'no-cache')))
      notFound(res, `No inspector file ${pathname}`);
    return true;
  }
  const vendor = /^\/_local\/vendor\/([^/]+)$/.exec(pathname);
  if (vendor?.[1] !== undefined) {
    const specifier = VENDOR[vendor[1]];
    let file: string | undefined;
    try {
      file = specifier ? require.resolve(specifier) : undefined;
    } catch {
      file = undefined;
    }
    if (!file || !(await sendFile(res, file, headOnly, 'max-age=3600')))
      notFound(res, specifier ? `${specifier} is not installed: run npm ci` : `No vendor file ${vendor[1]}`);
    return true;
  }
  return false;
}

/** `GET /openapi.json`: the generated document of the HTTP API, read at each request (regenerating needs no restart). */
export async function serveOpenApi(projectDir: string, method: string, res: ServerResponse): Promise<void> {
  const file = join(projectDir, 'docs', 'api', 'openapi.json');
  if (await sendFile(res, file, method === 'HEAD', 'no-cache')) return;
  const text = JSON.stringify({
    error: {
      code: 'NOT_FOUND',
      message: `${file} does not exist: generate it with \`npm run contracts\``,
    },
  });
  res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
