/**
 * The dock's Ink view: paints the pure screen model (ui/present/dock.ts)
 * line by line and turns key presses into store keys. All layout decisions
 * live in the presenter; this file only maps segments to <Text>.
 */
import {memo, useEffect, useSyncExternalStore} from 'react'
import {Box, Text, useInput, useWindowSize, type Key} from 'ink'
import type {DockEffect, DockKey} from '../dock-state.js'
import type {DockStore} from '../dock-store.js'
import {dockScreen, type ScreenLine, type Segment} from '../present/dock.js'
import type {ScreenSize} from '../present/dock-layout.js'

export interface DockViewProps {
  store: DockStore
  onEffect: (effect: DockEffect) => void
  /** A fixed size (tests); otherwise the terminal's, following resizes. */
  size?: ScreenSize
  /** Called with the time (ms) spent building each frame's model, for the metrics hook. */
  onFrame?: (ms: number) => void
}

export function toDockKey(input: string, key: Key): DockKey {
  return {
    input,
    ...(key.upArrow ? {up: true} : {}),
    ...(key.downArrow ? {down: true} : {}),
    ...(key.pageUp ? {pageUp: true} : {}),
    ...(key.pageDown ? {pageDown: true} : {}),
    ...(key.home ? {home: true} : {}),
    ...(key.end ? {end: true} : {}),
    ...(key.return ? {enter: true} : {}),
    ...(key.escape ? {escape: true} : {}),
    ...(key.backspace || key.delete ? {backspace: true} : {}),
    ...(key.ctrl ? {ctrl: true} : {}),
    ...(key.tab ? {tab: true} : {}),
  }
}

const sameSegments = (a: {segments: ScreenLine}, b: {segments: ScreenLine}) =>
  a.segments.length === b.segments.length &&
  a.segments.every((segment, index) => {
    const other = b.segments[index]!
    return (
      segment.text === other.text &&
      segment.color === other.color &&
      segment.bold === other.bold &&
      segment.dim === other.dim &&
      segment.inverse === other.inverse
    )
  })

const sameStyle = (a: Segment, b: Segment) =>
  a.color === b.color && a.bold === b.bold && a.dim === b.dim && a.inverse === b.inverse

/** Neighbouring segments of one style become one: fewer nodes and escape codes for Ink to lay out and tokenize. */
export function coalesce(segments: ScreenLine): ScreenLine {
  const out: Segment[] = []
  for (const segment of segments) {
    const last = out.at(-1)
    if (last && sameStyle(last, segment)) out[out.length - 1] = {...last, text: last.text + segment.text}
    else if (segment.text !== '') out.push(segment)
  }
  return out
}

/** One screen line; unchanged lines are not re-rendered. */
const Line = memo(function Line({segments}: {segments: ScreenLine}) {
  const merged = coalesce(segments)
  if (merged.length === 0) return <Text> </Text>
  if (merged.length === 1 && !merged[0]!.color && !merged[0]!.bold && !merged[0]!.dim && !merged[0]!.inverse)
    return <Text wrap="truncate-end">{merged[0]!.text}</Text>
  return (
    <Text wrap="truncate-end">
      {merged.map((segment: Segment, index: number) => (
        <Text
          key={index}
          {...(segment.color ? {color: segment.color} : {})}
          bold={segment.bold ?? false}
          dimColor={segment.dim ?? false}
          inverse={segment.inverse ?? false}
        >
          {segment.text}
        </Text>
      ))}
    </Text>
  )
}, sameSegments)

export function DockView({store, onEffect, size, onFrame}: DockViewProps) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot)
  const windowSize = useWindowSize()
  const wanted = size ?? windowSize
  useEffect(() => {
    store.dispatch({type: 'resize', size: {columns: wanted.columns, rows: wanted.rows}})
  }, [store, wanted.columns, wanted.rows])
  useInput((input, key) => {
    const effect = store.key(toDockKey(input, key))
    if (effect) onEffect(effect)
  })
  const started = performance.now()
  const lines = dockScreen(state)
  onFrame?.(performance.now() - started)
  return (
    <Box flexDirection="column" width={state.size.columns} height={state.size.rows}>
      {lines.map((line, index) => (
        <Line key={index} segments={line} />
      ))}
    </Box>
  )
}
