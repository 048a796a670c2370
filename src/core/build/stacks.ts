/**
 * Which stack a directory is, and the Dockerfile aims writes for it when the directory has none
 * (templates/stacks/<stack>/dockerfile.tmpl). Pure: the caller lists the files and reads the few
 * that decide (package.json, requirements.txt).
 */
import {AimsError} from '../errors.js'

export type StackId = 'dockerfile' | 'node' | 'python' | 'static'

/** The port every generated stack listens on (PORT is set to it), and its health path. */
export const STACK_PORT = 8080

export interface DetectedStack {
  stack: StackId
  /** Why this stack: "package.json", "requirements.txt", "index.html", "Dockerfile". */
  reason: string
  /** The generated Dockerfile's template and its values (absent for a Dockerfile directory). */
  template?: {name: string; values: Record<string, string | boolean>}
  /** Paths a generated stack never sends (dependencies are installed in the image). */
  defaultIgnore: string[]
  port: number
  healthPath: string
}

interface PackageJson {
  main?: unknown
  scripts?: {start?: unknown}
  dependencies?: Record<string, unknown>
}

function nodeStart(files: Set<string>, pkg: PackageJson): string[] {
  if (typeof pkg.scripts?.start === 'string') return ['npm', 'start']
  if (typeof pkg.main === 'string' && files.has(pkg.main.replace(/^\.\//, ''))) return ['node', pkg.main]
  const entry = ['server.js', 'index.js', 'app.js', 'main.js', 'server.mjs', 'index.mjs'].find((name) =>
    files.has(name),
  )
  if (!entry)
    throw new AimsError('usage', 'package.json has no start script and there is no server.js, index.js or app.js', {
      hint: 'add "scripts": {"start": "node your-file.js"} to package.json, or a Dockerfile',
    })
  return ['node', entry]
}

function pythonStart(files: Set<string>): string[] {
  const entry = ['app.py', 'main.py', 'server.py', 'wsgi.py'].find((name) => files.has(name))
  if (!entry)
    throw new AimsError('usage', 'a Python directory needs app.py, main.py or server.py to start', {
      hint: 'add one that listens on $PORT, or a Dockerfile',
    })
  return ['python', entry]
}

/**
 * A Dockerfile decides; else package.json → Node, requirements.txt / pyproject.toml → Python,
 * index.html → a static site. `read` returns a small file's text (package.json, requirements.txt).
 */
export function detectStack(files: Set<string>, read: (path: string) => string | undefined): DetectedStack {
  const base = {port: STACK_PORT, healthPath: '/'}
  if (files.has('Dockerfile')) return {...base, stack: 'dockerfile', reason: 'Dockerfile', defaultIgnore: []}
  if (files.has('package.json')) {
    let pkg: PackageJson
    try {
      pkg = JSON.parse(read('package.json') ?? '{}') as PackageJson
    } catch {
      throw new AimsError('usage', 'package.json is not valid JSON', {hint: 'fix it (npm pkg get name checks it)'})
    }
    const install = Object.keys(pkg.dependencies ?? {}).length > 0
    return {
      ...base,
      stack: 'node',
      reason: 'package.json',
      template: {
        name: 'stacks/node/dockerfile.tmpl',
        values: {install, lockfile: files.has('package-lock.json'), start: JSON.stringify(nodeStart(files, pkg))},
      },
      defaultIgnore: ['node_modules', 'npm-debug.log'],
    }
  }
  if (files.has('requirements.txt') || files.has('pyproject.toml')) {
    const requirements = (read('requirements.txt') ?? '').split('\n').some((line) => /^\s*[A-Za-z0-9]/.test(line))
    return {
      ...base,
      stack: 'python',
      reason: files.has('requirements.txt') ? 'requirements.txt' : 'pyproject.toml',
      template: {
        name: 'stacks/python/dockerfile.tmpl',
        values: {requirements, pyproject: !files.has('requirements.txt'), start: JSON.stringify(pythonStart(files))},
      },
      defaultIgnore: ['__pycache__', '.venv', 'venv', '*.pyc'],
    }
  }
  if (files.has('index.html'))
    return {
      ...base,
      stack: 'static',
      reason: 'index.html',
      template: {name: 'stacks/static/dockerfile.tmpl', values: {}},
      defaultIgnore: [],
    }
  throw new AimsError(
    'usage',
    'cannot tell what this directory is: no Dockerfile, package.json, requirements.txt or index.html',
    {
      hint: 'add a Dockerfile, or build a Node, Python or static (index.html) directory',
    },
  )
}

/** The generated Dockerfile's name inside the context, so a user's own files are never overwritten. */
export const GENERATED_DOCKERFILE = 'Dockerfile.aims'
