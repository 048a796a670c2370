import {describe, expect, it} from 'vitest'
import {describeIntent, checkGeneratedFiles} from '../../../../src/core/build/describe.js'
import {classifySource, nameFromWords} from '../../../../src/core/build/request.js'
import {detectStack} from '../../../../src/core/build/stacks.js'

const detect = (files: Record<string, string>) => detectStack(new Set(Object.keys(files)), (name) => files[name])

describe('detectStack', () => {
  it('a Dockerfile wins, then package.json, requirements.txt, index.html', () => {
    expect(detect({Dockerfile: '', 'package.json': '{}'}).stack).toBe('dockerfile')
    expect(detect({'package.json': '{"scripts":{"start":"node a.js"}}'})).toMatchObject({
      stack: 'node',
      template: {values: {install: false, start: '["npm","start"]'}},
    })
    expect(
      detect({'package.json': '{"dependencies":{"express":"^4"}}', 'index.js': ''}).template?.values,
    ).toMatchObject({install: true, start: '["node","index.js"]'})
    expect(detect({'requirements.txt': 'flask==3\n', 'app.py': ''}).template?.values).toMatchObject({
      requirements: true,
      start: '["python","app.py"]',
    })
    expect(detect({'index.html': ''}).stack).toBe('static')
  })
  it('refuses what it cannot start, saying what to add', () => {
    expect(() => detect({'package.json': '{}'})).toThrow(/no start script/)
    expect(() => detect({'package.json': '{'})).toThrow(/not valid JSON/)
    expect(() => detect({'README.md': ''})).toThrow(/cannot tell what this directory is/)
  })
})

describe('classifySource', () => {
  it.each([
    ['./app', 'dir'],
    ['/srv/app', 'dir'],
    ['my app', 'dir'],
    ['https://git.example.com/me/shop.git', 'git'],
    ['git@github.com:me/shop.git', 'git'],
    ['file:///tmp/repo.git#main', 'git'],
    ['a landing page for my bakery', 'description'],
  ])('%s is a %s', (source, kind) => {
    expect(classifySource(source).kind).toBe(kind)
  })
  it('keeps the #ref of a git URL and names from words', () => {
    expect(classifySource('file:///tmp/r.git#v1.2')).toEqual({kind: 'git', url: 'file:///tmp/r.git', ref: 'v1.2'})
    expect(nameFromWords('My Shop_2.git')).toBe('my-shop-2')
    expect(nameFromWords('***')).toBe('app')
  })
})

describe('describeIntent', () => {
  it('reads the name, the kind, the hours and the sections from the words', () => {
    const intent = describeIntent('a landing page for a bakery called Crumb, open 8-18, with a menu and a contact form')
    expect(intent).toMatchObject({stack: 'static', title: 'Crumb', kind: 'bakery', hours: '8-18', contactForm: true})
    expect(intent.sections).toEqual(['menu'])
    expect(intent.expect).toEqual(['Crumb', '8-18'])
  })
  it('picks a server stack when one is asked for', () => {
    expect(describeIntent('a small JSON API for my todo list').stack).toBe('node')
    expect(describeIntent('a flask app for our team').stack).toBe('python')
  })
})

describe('checkGeneratedFiles', () => {
  it('refuses paths outside the app, too many files and oversize files', () => {
    expect(() => checkGeneratedFiles([{path: '../evil.sh', content: ''}])).toThrow(/outside its directory/)
    expect(() => checkGeneratedFiles([{path: '/etc/passwd', content: ''}])).toThrow(/outside its directory/)
    expect(() => checkGeneratedFiles([{path: '.git/hooks/pre-commit', content: ''}])).toThrow(/outside/)
    expect(() => checkGeneratedFiles(Array.from({length: 13}, (_, i) => ({path: `f${i}`, content: ''})))).toThrow(
      /13 files/,
    )
    expect(() => checkGeneratedFiles([{path: 'big.html', content: 'x'.repeat(70_000)}])).toThrow(/too large/)
    expect(() => checkGeneratedFiles([{path: 'index.html', content: '<h1>ok</h1>'}])).not.toThrow()
  })
})
