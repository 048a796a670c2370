/** Parsers for what the host tells us through exec (meminfo, df, ss). Pure. */

export function parseMemAvailable(meminfo: string): number | undefined {
  const match = /^MemAvailable:\s+(\d+)\s+kB/m.exec(meminfo)
  return match ? Number(match[1]) * 1024 : undefined
}

export function parseMemTotal(meminfo: string): number | undefined {
  const match = /^MemTotal:\s+(\d+)\s+kB/m.exec(meminfo)
  return match ? Number(match[1]) * 1024 : undefined
}

/** Last line of `df -PB1 PATH`: Filesystem 1-blocks Used Available Capacity Mounted-on. */
export function parseDfAvailable(df: string): number | undefined {
  const line = df.trim().split('\n').filter((row) => !/^Filesystem/.test(row)).at(-1)
  const fields = line?.trim().split(/\s+/)
  const available = fields && fields.length >= 6 ? Number(fields[3]) : Number.NaN
  return Number.isFinite(available) ? available : undefined
}

/** Listening TCP ports from `ss -ltnH` (or netstat -ltn) output. */
export function parseListeningPorts(output: string): number[] {
  const ports = new Set<number>()
  for (const line of output.split('\n')) {
    const fields = line.trim().split(/\s+/)
    // ss: State Recv-Q Send-Q Local:Port Peer:Port; netstat: Proto Recv-Q Send-Q Local Foreign State
    const local = fields[0] === 'LISTEN' ? fields[3] : fields[0]?.startsWith('tcp') ? fields[3] : undefined
    const port = local ? Number(local.slice(local.lastIndexOf(':') + 1)) : Number.NaN
    if (Number.isInteger(port) && port > 0) ports.add(port)
  }
  return [...ports].sort((a, b) => a - b)
}

/** Deploy journal file names: TENANT@INSTANCE.json ("@" never appears in names). */
export const journalFileName = (tenant: string, instance: string) => `${tenant}@${instance}.json`

export function parseJournalFileName(name: string): {tenant: string; instance: string} | undefined {
  const match = /^([a-z0-9-]+)@([a-z0-9-]+)\.json$/.exec(name)
  return match ? {tenant: match[1]!, instance: match[2]!} : undefined
}

/**
 * Listening TCP ports from /proc/net/tcp and /proc/net/tcp6 (read over SFTP:
 * no shell needed). Lines: "sl local_address rem_address st …", ports in hex,
 * state 0A = LISTEN.
 */
export function parseProcNetListening(text: string): number[] {
  const ports = new Set<number>()
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields[3] !== '0A') continue
    const port = Number.parseInt(fields[1]?.split(':').at(-1) ?? '', 16)
    if (Number.isInteger(port) && port > 0) ports.add(port)
  }
  return [...ports].sort((a, b) => a - b)
}
