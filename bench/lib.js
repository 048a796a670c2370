// Shared bench helpers: timed child processes, medians, tables.
import http from 'node:http'
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))

/** Runs a command to completion; resolves with its wall time (ms) and output. */
export function timed(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - started
      if (code !== 0 && !options.allowFailure)
        reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`))
      else resolve({ms, code, stdout, stderr})
    })
  })
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

export const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

export function table(headers, rows) {
  const cells = [headers, ...rows].map((row) => row.map(String))
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column].length)))
  // Numbers (and ratios) right-aligned, words left-aligned.
  const numeric = headers.map((_, column) => rows.every((row) => /^[\d.]*x?$/.test(String(row[column]))))
  return cells
    .map((row) =>
      row
        .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export const SOCKET = '/var/run/docker.sock'

/** The bed's Docker engine API over its socket (JSON in and out); a wedged engine fails the bench instead of hanging it. */
export function engineApi(method, path, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {socketPath: SOCKET, method, path: `/v1.41${path}`, headers: body ? {'content-type': 'application/json'} : {}},
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => (text += chunk))
        response.on('end', () => {
          if (response.statusCode >= 400) reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`))
          else resolve(text ? JSON.parse(text) : undefined)
        })
      },
    )
    request.on('error', reject)
    // A wedged engine fails the bench instead of hanging it.
    request.setTimeout(60_000, () =>
      request.destroy(new Error(`${method} ${path}: no answer from the engine within 60 s`)),
    )
    request.end(body ? JSON.stringify(body) : undefined)
  })
}
