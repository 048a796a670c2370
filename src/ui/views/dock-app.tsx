/**
 * `aims dock`: composes the store, the live feed and the controller, and
 * runs the Ink app full-screen (alternate screen, at most 10 frames a
 * second) until the user quits; the terminal is restored on the way out.
 * Loaded only by the dock command, so no other command pays for Ink/React.
 */
import {writeFileSync} from 'node:fs'
import {render} from 'ink'
import type {AimsContext} from '../../context.js'
import {DockFeed} from '../../services/dock-feed.js'
import {hostLifecycleEventWriter} from '../../services/lifecycle-events.js'
import type {HostSession} from '../../services/ports.js'
import {DockController} from '../dock-controller.js'
import {exportRunner} from '../dock-export.js'
import {initialDockState, visibleRefs} from '../dock-state.js'
import {createDockStore} from '../dock-store.js'
import {DockView} from './Dock.js'

export interface RunDockOptions {
  context: AimsContext
  session: HostSession
  tenant?: string
  readonly: boolean
  /** Written into exported bundles. */
  aimsVersion: string
  /** AIMS_DOCK_METRICS: a file that receives frame timings and CPU use when the dock exits. */
  metricsFile?: string
}

/** Frame-time and CPU figures for the benchmark (bench/dock.js). */
class DockMetrics {
  private readonly frames: number[] = []
  private readonly renders: number[] = []
  private readonly startedCpu = process.cpuUsage()
  private readonly startedAt = performance.now()
  frame = (ms: number) => {
    if (this.frames.length < 100_000) this.frames.push(ms)
  }
  render = ({renderTime}: {renderTime: number}) => {
    if (this.renders.length < 100_000) this.renders.push(renderTime)
  }
  write(file: string, extra: Record<string, unknown>): void {
    const summary = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b)
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
      return {count: values.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: sorted.at(-1) ?? 0}
    }
    const cpu = process.cpuUsage(this.startedCpu)
    const metrics = {
      model: summary(this.frames),
      ink: summary(this.renders),
      inkSamples: this.renders,
      modelSamples: this.frames,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      wallMs: performance.now() - this.startedAt,
      ...extra,
    }
    writeFileSync(file, `${JSON.stringify(metrics, null, 2)}\n`)
  }
}

export async function runDock(options: RunDockOptions): Promise<void> {
  const {context, session} = options
  const size = {columns: process.stdout.columns || 80, rows: process.stdout.rows || 24}
  const store = createDockStore(
    initialDockState({
      host: session.host.name,
      ...(options.tenant ? {tenant: options.tenant} : {}),
      readonly: options.readonly,
      size,
      now: Date.now(),
    }),
  )
  const metrics = options.metricsFile ? new DockMetrics() : undefined
  const {newId} = await import('../../adapters/random.js')
  const feed = new DockFeed({
    session,
    ...(options.tenant ? {tenant: options.tenant} : {}),
    clock: context.clock,
    dispatch: (update) => store.dispatch(update),
    visibleRefs: () => visibleRefs(store.getState()),
    events: {
      recordEvent: hostLifecycleEventWriter(session),
      newId,
      clock: context.clock,
      actor: context.actor,
      origin: {kind: 'dock'},
    },
  })
  let quit: () => void = () => undefined
  const quitting = new Promise<void>((resolve) => {
    quit = resolve
  })
  const controller = new DockController({
    store,
    feed,
    lifecycleDeps: (approver, progress, argv) =>
      context.lifecycleDeps(session, {approver, progress, origin: {kind: 'dock', argv}}),
    mutations: () => import('../../services/plug-manage.js'),
    exportInstance: exportRunner({
      cwd: process.cwd(),
      run: async (ref, outDir) => {
        const {exportBundle, validateExportOptions} = await import('../../services/export.js')
        const request = validateExportOptions({target: ref, out: outDir})
        return exportBundle(await context.exportDeps({session, aimsVersion: options.aimsVersion}), request)
      },
    }),
    onQuit: () => quit(),
  })
  const unsubscribe = store.subscribe(() => controller.syncWatch())
  const app = render(
    <DockView store={store} onEffect={controller.handle} {...(metrics ? {onFrame: metrics.frame} : {})} />,
    {
      alternateScreen: true,
      interactive: true,
      maxFps: 10,
      incrementalRendering: true,
      exitOnCtrlC: false,
      patchConsole: true,
      ...(metrics ? {onRender: metrics.render} : {}),
    },
  )
  // The clock in the uptime column: one tick a second (the store publishes only real changes).
  const ticker = setInterval(() => store.dispatch({type: 'tick', now: Date.now()}), 1000)
  feed.start()
  const stopOnSignal = () => quit()
  process.once('SIGTERM', stopOnSignal)
  process.once('SIGHUP', stopOnSignal)
  // The benchmark asks for figures mid-run (SIGUSR2) without stopping the dock.
  const writeMetrics = () =>
    metrics?.write(options.metricsFile!, {
      publications: store.publications,
      instances: Object.keys(store.getState().rows).length,
      size: store.getState().size,
      connection: store.getState().connection.status,
      transport: session.metrics(),
    })
  if (metrics) process.on('SIGUSR2', writeMetrics)
  try {
    await Promise.race([quitting, app.waitUntilExit()])
  } finally {
    process.off('SIGTERM', stopOnSignal)
    process.off('SIGHUP', stopOnSignal)
    process.off('SIGUSR2', writeMetrics)
    clearInterval(ticker)
    unsubscribe()
    controller.dispose()
    app.unmount()
    await app.waitUntilExit().catch(() => undefined)
    await feed.stop()
    if (metrics) writeMetrics()
  }
}
