/**
 * The 3-node Swarm bed (test/bed/swarm.sh): network namespaces with their own
 * dockerd, sshd and nginx each, reachable from here on loopback ports. Suites
 * that need it bring it up in beforeAll and down in afterAll; its details are
 * read from .bed/swarm.json, which `up` writes.
 */
import {execFile} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {ROOT} from './aims.js'

const run = promisify(execFile)
const SCRIPT = join(ROOT, 'test', 'bed', 'swarm.sh')
const FILE = join(ROOT, '.bed', 'swarm.json')

export interface SwarmNode {
  /** n1..n3: also the Host names in `sshConfig`. */
  name: string
  /** The node's hostname (its own UTS namespace): sw1..sw3; Swarm's node hostname. */
  hostname: string
  /** 10.99.0.N, inside the bed's namespaces only. */
  ip: string
  sshHost: string
  sshPort: number
  sshUser: string
  /** The node's nginx (port 80 in its namespace), on loopback here. */
  httpPort: number
  netns: string
  /** The node dockerd's socket, usable from the root namespace. */
  dockerSocket: string
  pidFile: string
  role: 'manager' | 'worker' | 'none' | 'unknown'
}

export interface SwarmBed {
  /** false after `up --no-swarm` (three standalone engines). */
  swarm: boolean
  stateDir: string
  /** Client key every node's root accepts. */
  identity: string
  /** known_hosts with every node's host key on its loopback port. */
  knownHosts: string
  /** An ssh_config with Host n1..n3. */
  sshConfig: string
  hostKey: string
  /** A namespace on the nodes' network (10.99.0.100) for traffic to 10.99.0.x. */
  clientNetns: string
  clientIp: string
  managerAddr: string
  registry: {open: string; auth: string; bridge: string}
  nodes: SwarmNode[]
}

async function script(args: string[], timeoutMs = 180_000): Promise<string> {
  try {
    const {stdout, stderr} = await run(SCRIPT, args, {timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024})
    return `${stdout}${stderr}`
  } catch (error) {
    const failed = error as {stdout?: string; stderr?: string; message: string}
    throw new Error(`test/bed/swarm.sh ${args.join(' ')} failed: ${failed.stderr || failed.stdout || failed.message}`, {
      cause: error,
    })
  }
}

/** Brings the swarm bed up (a healthy one is reused) and returns its details. */
export async function swarmUp(options: {swarm?: boolean} = {}): Promise<SwarmBed> {
  await script(['up', ...(options.swarm === false ? ['--no-swarm'] : [])])
  return swarmBed()
}

export async function swarmDown(): Promise<void> {
  await script(['down'])
}

/** Hard power-off of node N (every process SIGKILLed). */
export async function swarmKill(node: number): Promise<void> {
  await script(['kill', String(node)])
}

/** Boots node N again; it rejoins the swarm from its data. */
export async function swarmStart(node: number): Promise<void> {
  await script(['start', String(node)])
}

export function swarmBed(): SwarmBed {
  if (!existsSync(FILE)) throw new Error('the swarm bed is not up: run test/bed/swarm.sh up (as root)')
  return JSON.parse(readFileSync(FILE, 'utf8')) as SwarmBed
}

/** The docker CLI against node N's engine (1-based). */
export async function nodeDocker(node: number, args: string[], timeoutMs = 60_000): Promise<string> {
  const target = swarmBed().nodes[node - 1]
  if (!target) throw new Error(`no swarm node ${node}`)
  const {stdout} = await run('/usr/bin/docker', ['-H', `unix://${target.dockerSocket}`, ...args], {
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  })
  return stdout
}

/** A command on node N over SSH (as aims would reach it). */
export async function nodeSsh(node: number, command: string): Promise<string> {
  const bed = swarmBed()
  const {stdout} = await run('ssh', ['-F', bed.sshConfig, `n${node}`, command], {timeout: 30_000})
  return stdout
}

/** A command in the client namespace, which reaches the nodes' 10.99.0.x addresses. */
export async function inClientNetns(command: string[], timeoutMs = 30_000): Promise<string> {
  const {stdout} = await run('nsenter', [`--net=/run/netns/${swarmBed().clientNetns}`, '--', ...command], {
    timeout: timeoutMs,
  })
  return stdout
}
