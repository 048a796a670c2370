/** `aims build`, `aims plug add`: the user's own apps (declarations only: see spec.ts). */
import {DRY_RUN, TENANT, YES, type CommandSpec} from './spec.js'

export const BUILD = {
  path: 'build',
  description:
    'Build your own app on the host and deploy it: a directory, a git repository or "a description"\n\n' +
    'A directory with a Dockerfile is built as is; without one the stack is detected (package.json → Node, ' +
    'requirements.txt/pyproject.toml → Python, index.html → static) and a Dockerfile is generated. A git URL is ' +
    'cloned on this machine. A description becomes a small app from a template. The build runs on the host ' +
    "through the engine's build API over the one SSH connection; the image is verified (starts, answers its " +
    'health path, shows what was asked) before it is deployed as a plug instance.',
  examples: [
    '<%= config.bin %> build ./my-app --tenant acme',
    '<%= config.bin %> build https://git.example.com/me/shop.git#main --name shop --yes',
    '<%= config.bin %> build "a landing page for a bakery called Crumb, open 8-18" --out ./crumb',
  ],
  effect: 'change',
  args: {
    source: {description: 'a directory, a git URL (URL#branch), or a quoted description', required: true},
  },
  flags: {
    name: {
      type: 'string',
      char: 'n',
      description: 'instance name (default: from the directory, repository or description)',
    },
    tenant: TENANT,
    out: {type: 'string', description: 'keep the files a description became in this (new or empty) directory'},
    'no-deploy': {type: 'boolean', description: 'build and verify only; write the plug, deploy nothing'},
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const BUILD_COMMANDS = [BUILD] as const
