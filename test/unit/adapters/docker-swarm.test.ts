import {describe, expect, it} from 'vitest'
import {serviceSpecBody, TASK_LABEL} from '../../../src/adapters/docker-swarm.js'
import type {ContainerSpec} from '../../../src/core/engine-types.js'

const container: ContainerSpec = {
  name: 'aims-acme-web-web',
  image: 'aims-fixture/web:1',
  command: ['web'],
  env: {GREETING: 'hi'},
  labels: {'aims.managed': 'true', 'aims.tenant': 'acme', 'aims.instance': 'web'},
  networks: [{name: 'aims-t-acme', aliases: ['web.acme']}],
  ports: [{containerPort: 8080, protocol: 'tcp', hostPort: 51000, hostIp: '127.0.0.1'}],
  volumes: [{source: 'aims-acme-web-data', target: '/data'}],
  restartPolicy: 'unless-stopped',
  init: true,
  memoryBytes: 64 * 2 ** 20,
  nanoCpus: 250_000_000,
  healthcheck: {test: ['CMD-SHELL', 'true'], intervalSeconds: 2, timeoutSeconds: 1, retries: 3, startPeriodSeconds: 0},
}

describe('a planned container as a Swarm service', () => {
  const body = serviceSpecBody({container, replicas: 0, constraints: ['node.id==abc'], maxPerNode: 1})

  it('publishes in host mode behind DNS round robin (no routing mesh)', () => {
    expect(body.EndpointSpec).toEqual({
      Mode: 'dnsrr',
      Ports: [{Protocol: 'tcp', TargetPort: 8080, PublishedPort: 51000, PublishMode: 'host'}],
    })
  })

  it('rolls back a failed update, stop-first (a host port cannot be held twice on a node)', () => {
    expect(body.UpdateConfig).toMatchObject({FailureAction: 'rollback', Order: 'stop-first', Parallelism: 1})
    expect(body.RollbackConfig).toMatchObject({Order: 'stop-first'})
  })

  it("keeps aims' labels on the service, and only the service's name on its task containers", () => {
    expect(body.Labels).toEqual(container.labels)
    expect(body.TaskTemplate.ContainerSpec.Labels).toEqual({[TASK_LABEL]: 'aims-acme-web-web'})
  })

  it('carries image, args, env, mounts, health check, limits, restart, placement and networks', () => {
    expect(body.Mode).toEqual({Replicated: {Replicas: 0}})
    expect(body.TaskTemplate.ContainerSpec).toMatchObject({
      Image: 'aims-fixture/web:1',
      Args: ['web'],
      Env: ['GREETING=hi'],
      Init: true,
      Mounts: [{Type: 'volume', Source: 'aims-acme-web-data', Target: '/data', ReadOnly: false}],
      Healthcheck: {Test: ['CMD-SHELL', 'true'], Interval: 2e9, Timeout: 1e9, Retries: 3, StartPeriod: 0},
    })
    expect(body.TaskTemplate.ContainerSpec).not.toHaveProperty('Command')
    expect(body.TaskTemplate.Resources).toEqual({Limits: {MemoryBytes: 64 * 2 ** 20, NanoCPUs: 250_000_000}})
    expect(body.TaskTemplate.RestartPolicy).toEqual({Condition: 'any', Delay: 1e9})
    expect(body.TaskTemplate.Placement).toEqual({Constraints: ['node.id==abc'], MaxReplicas: 1})
    expect(body.TaskTemplate.Networks).toEqual([{Target: 'aims-t-acme', Aliases: ['web.acme']}])
  })
})
