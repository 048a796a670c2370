/**
 * `npm run changelog` must keep working: conventional-changelog with the
 * conventionalcommits preset and changelog.config.js (see why there). Renders
 * to stdout, so the committed CHANGELOG.md is untouched.
 */
import {execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

describe('changelog', () => {
  it('renders the history with the conventionalcommits preset', () => {
    const cli = join(ROOT, 'node_modules', 'conventional-changelog', 'dist', 'cli', 'index.js')
    const output = execFileSync(
      process.execPath,
      [cli, '-p', 'conventionalcommits', '-n', 'changelog.config.js', '--stdout', '-r', '0'],
      {cwd: ROOT},
    ).toString()
    const version = JSON.parse(execFileSync('git', ['show', 'HEAD:package.json'], {cwd: ROOT}).toString())
      .version as string
    expect(output).toMatch(new RegExp(`^## ${version.replace(/\./g, '\\.')} \\(\\d{4}-\\d{2}-\\d{2}\\)$`, 'm'))
    // Every line is a header, a blank line or an entry "* **scope:** subject (hash)".
    for (const line of output.split('\n'))
      expect(line).toMatch(/^(|## .+|### .+|\* (\*\*[^*]+:\*\* )?\S.* \([0-9a-f]{7}\)(, closes .+)?)$/)
    // Whatever the history holds, feat commits land under Features.
    const features = execFileSync('git', ['log', '--format=%s', '-E', '--grep=^feat(\\(|:)'], {cwd: ROOT})
      .toString()
      .trim()
    if (features) expect(output).toContain('### Features')
  }, 30_000)
})
