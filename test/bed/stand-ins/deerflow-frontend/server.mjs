// Stand-in for DeerFlow's Next.js frontend at v2.0.0: see the Dockerfile beside it for what it keeps.
import http from 'node:http'
// Fixed at build time, as Next.js does with rewrites (vercel/next.js#36415): run-time env is not read.
const BUILD_TIME_GATEWAY = 'http://127.0.0.1:8001'
const port = Number(process.env.PORT || 3000)
const page =
  '<!doctype html><html><head><title>DeerFlow</title></head><body><div id="deer-flow">DeerFlow</div></body></html>\n'

http
  .createServer((request, response) => {
    const path = (request.url || '/').split('?')[0]
    if (path.startsWith('/api/')) {
      const upstream = http.get(BUILD_TIME_GATEWAY + request.url, (answer) => {
        response.writeHead(answer.statusCode || 502, answer.headers)
        answer.pipe(response)
      })
      upstream.on('error', (error) => {
        console.error(`Failed to proxy ${BUILD_TIME_GATEWAY}${request.url} Error: ${error.code || error.message}`)
        response.writeHead(500, {'content-type': 'text/plain'})
        response.end('Internal Server Error')
      })
      return
    }
    if (path === '/' || path === '/workspace' || path.startsWith('/workspace/')) {
      response.writeHead(200, {'content-type': 'text/html; charset=utf-8'})
      response.end(page)
      return
    }
    response.writeHead(404, {'content-type': 'text/html; charset=utf-8'})
    response.end('<!doctype html><title>404: This page could not be found.</title>\n')
  })
  .listen(port, '0.0.0.0', () => console.log(`  ▲ Next.js (stand-in)\n  - Local: http://localhost:${port}\n ✓ Ready`))
