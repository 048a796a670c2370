/** Host facts that are aims' own (deploy journals). Parsers of /proc, df and ss output live in core/doctor.ts. */

/** Deploy journal file names: TENANT@INSTANCE.json ("@" never appears in names). */
export const journalFileName = (tenant: string, instance: string) => `${tenant}@${instance}.json`

export function parseJournalFileName(name: string): {tenant: string; instance: string} | undefined {
  const match = /^([a-z0-9-]+)@([a-z0-9-]+)\.json$/.exec(name)
  return match ? {tenant: match[1]!, instance: match[2]!} : undefined
}
