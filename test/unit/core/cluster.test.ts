import {describe, expect, it} from 'vitest'
import {
  checkAddressPool,
  checkAdvertiseAddr,
  clusterRows,
  evaluateCluster,
  findMember,
  firstAddress,
  parseNodeLabel,
  type ClusterFacts,
} from '../../../src/core/cluster.js'
import type {SwarmNode} from '../../../src/core/engine-types.js'
import type {HostEntry} from '../../../src/core/host-target.js'

const node = (id: string, hostname: string, extra: Partial<SwarmNode> = {}): SwarmNode => ({
  id,
  hostname,
  role: 'worker',
  availability: 'active',
  state: 'ready',
  addr: '10.0.0.1',
  leader: false,
  engineVersion: '20.10.24',
  labels: {},
  cpus: 2,
  memoryBytes: 2 ** 30,
  ...extra,
})

const entry: HostEntry = {
  name: 'prod',
  target: {host: '10.0.0.1', user: 'root'},
  cluster: {
    members: [
      {host: 'vps1', nodeId: 'aaa111', role: 'manager', addr: '10.0.0.1'},
      {host: 'vps2', nodeId: 'bbb222', role: 'worker', addr: '10.0.0.2'},
    ],
  },
}

describe('cluster input checks', () => {
  it('parses KEY=VALUE node labels, KEY= removes, anything else is refused (exit 2)', () => {
    expect(parseNodeLabel('zone=eu-1')).toEqual({key: 'zone', value: 'eu-1'})
    expect(parseNodeLabel('zone=')).toEqual({key: 'zone', value: null})
    expect(parseNodeLabel('a.b_c=x=y')).toEqual({key: 'a.b_c', value: 'x=y'})
    for (const bad of ['zone', '=x', '-zone=x', 'zo ne=x', 'k=\u001b[31m'])
      expect(() => parseNodeLabel(bad), bad).toThrow(expect.objectContaining({exitCode: 2}))
  })

  it('takes an IPv4 advertise address and a /16-/28 pool only', () => {
    expect(checkAdvertiseAddr('10.99.0.1')).toBe('10.99.0.1')
    expect(() => checkAdvertiseAddr('10.99.0.256')).toThrow(/invalid --advertise-addr/)
    expect(() => checkAdvertiseAddr('eth0')).toThrow(/invalid --advertise-addr/)
    expect(checkAddressPool('10.201.0.0/16')).toBe('10.201.0.0/16')
    expect(() => checkAddressPool('10.0.0.0/8')).toThrow(/invalid --address-pool/)
  })

  it("picks the node's first non-loopback IPv4 address from hostname -I", () => {
    expect(firstAddress('10.99.0.2 172.18.0.1 fe80::1\n')).toBe('10.99.0.2')
    expect(firstAddress('127.0.1.1 192.168.1.5')).toBe('192.168.1.5')
    expect(firstAddress('fe80::1\n')).toBeUndefined()
  })
})

describe('cluster nodes', () => {
  const nodes = [node('aaa111', 'sw1', {role: 'manager', leader: true}), node('bbb222', 'sw2'), node('ccc333', 'sw3')]

  it('finds a node by aims host name, Swarm hostname or id prefix', () => {
    expect(findMember(entry, 'vps2', nodes).node?.id).toBe('bbb222')
    expect(findMember(entry, 'sw1', nodes).member?.host).toBe('vps1')
    expect(findMember(entry, 'ccc', nodes)).toEqual({node: nodes[2]})
    expect(findMember(entry, 'nope', nodes)).toEqual({})
  })

  it('lists nodes with their aims host, tasks and labels, by hostname', () => {
    const rows = clusterRows(entry, [...nodes].reverse(), new Map([['bbb222', 4]]))
    expect(rows.map((row) => [row.host, row.hostname, row.role, row.leader, row.tasks])).toEqual([
      ['vps1', 'sw1', 'manager', true, 0],
      ['vps2', 'sw2', 'worker', false, 4],
      [undefined, 'sw3', 'worker', false, 0],
    ])
    expect(rows[2]).not.toHaveProperty('host')
  })
})

describe('doctor for a cluster', () => {
  const healthy: ClusterFacts = {
    cluster: 'prod',
    members: [
      {host: 'vps1', reachable: true, engineVersion: '20.10.24', clockOffsetMs: 10, espGcm: true},
      {host: 'vps2', reachable: true, engineVersion: '20.10.24', clockOffsetMs: -40, espGcm: true},
    ],
    swarmNodes: [
      node('aaa111', 'sw1', {role: 'manager', reachability: 'reachable'}),
      node('bbb222', 'sw2'),
      node('ccc333', 'sw3', {role: 'manager', reachability: 'reachable'}),
      node('ddd444', 'sw4', {role: 'manager', reachability: 'reachable'}),
    ],
  }
  const status = (facts: ClusterFacts) =>
    Object.fromEntries(evaluateCluster(facts).map((check) => [check.id, check.status]))

  it('passes a reachable cluster with an odd number of managers and equal versions', () => {
    expect(status(healthy)).toEqual({
      'cluster-nodes': 'pass',
      'cluster-quorum': 'pass',
      'cluster-versions': 'pass',
      'cluster-clock': 'pass',
      'cluster-overlay': 'pass',
    })
  })

  it('fails an unreachable or down node, a lost quorum; warns on versions, skew and no ESP', () => {
    const checks = evaluateCluster({
      cluster: 'prod',
      members: [
        {host: 'vps1', reachable: true, engineVersion: '20.10.24', clockOffsetMs: 0, espGcm: false},
        {host: 'vps2', reachable: false, error: 'connection refused'},
        {host: 'vps3', reachable: true, engineVersion: '24.0.7', clockOffsetMs: 5000, espGcm: true},
      ],
      swarmNodes: [
        node('aaa111', 'sw1', {role: 'manager', reachability: 'reachable'}),
        node('bbb222', 'sw2', {role: 'manager', reachability: 'unreachable', state: 'down'}),
        node('ccc333', 'sw3', {role: 'manager', reachability: 'unreachable', state: 'down'}),
      ],
    })
    const byId = Object.fromEntries(checks.map((check) => [check.id, check]))
    expect(byId['cluster-nodes']).toMatchObject({status: 'fail'})
    expect(byId['cluster-nodes']!.detail).toBe(
      'vps2 unreachable (connection refused); sw2 is down in the swarm; sw3 is down in the swarm',
    )
    expect(byId['cluster-quorum']).toMatchObject({status: 'fail', detail: '1 of 3 managers reachable (quorum 2)'})
    expect(byId['cluster-versions']!.status).toBe('warn')
    expect(byId['cluster-clock']!.status).toBe('warn')
    expect(byId['cluster-overlay']).toMatchObject({status: 'warn'})
    expect(byId['cluster-overlay']!.detail).toMatch(/kernel of vps1/)
    expect(status({cluster: 'prod', members: [], swarmError: 'no manager answers'})['cluster-quorum']).toBe('fail')
  })
})
