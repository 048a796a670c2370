/** Small app directories the build, site and bench tests build (written fresh for each test). */
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

export function appDir(files: Record<string, string>, prefix = 'aims-app-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
  }
  return dir
}

export const NODE_APP = {
  'package.json': JSON.stringify({name: 'shop', scripts: {start: 'node server.js'}}),
  'server.js':
    "require('node:http').createServer((q, r) => r.end('node shop v1\\n')).listen(process.env.PORT || 8080)\n",
}

export const PYTHON_APP = {
  'requirements.txt': '# standard library only\n',
  'app.py': [
    'import os',
    'from http.server import BaseHTTPRequestHandler, HTTPServer',
    'class H(BaseHTTPRequestHandler):',
    '    def do_GET(self):',
    '        self.send_response(200); self.end_headers(); self.wfile.write(b"python app v1\\n")',
    'HTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()',
    '',
  ].join('\n'),
}

export const STATIC_APP = {
  'index.html': '<!doctype html><h1>static site v1</h1>\n',
  'notes/private.txt': 'not for the image\n',
  '.dockerignore': 'notes\n',
}

export const DOCKERFILE_APP = {
  Dockerfile: [
    'FROM debian:bookworm-slim',
    'COPY serve.sh /serve.sh',
    'EXPOSE 8080',
    'CMD ["sh", "/serve.sh"]',
    '',
  ].join('\n'),
  // bash's /dev/tcp cannot listen: a tiny server in perl, which debian's minbase has.
  'serve.sh': [
    "exec perl -MIO::Socket::INET -e '",
    '$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die;',
    'while ($c = $s->accept) { <$c>; print $c "HTTP/1.0 200 OK\\r\\n\\r\\ndockerfile app v1\\n"; close $c }\'',
    '',
  ].join('\n'),
}

/** Starts, then exits at once: verification must fail and nothing be deployed. */
export const BROKEN_APP = {
  'package.json': JSON.stringify({name: 'broken', scripts: {start: 'node server.js'}}),
  'server.js': "console.error('FATAL: DATABASE_URL is not set'); process.exit(3)\n",
}
