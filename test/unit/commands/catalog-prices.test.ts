/** catalog ls and plug up quote one cost: both price with the configured prices (the host's, else the preferences'). */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, expect, it} from 'vitest'
import CatalogLs from '../../../commands/catalog/ls.js'
import ConfigSet from '../../../commands/config/set.js'
import {estimateMonthlyCost, resourceTotals} from '../../../src/core/catalog/cost.js'
import {IO} from '../../../src/cli/io.js'
import {AimsContext} from '../../../src/context.js'
import {runCommand} from '../../support/run-command.js'
import {catalogPlug} from '../../support/lifecycle-fakes.js'

const home = mkdtempSync(join(tmpdir(), 'aims-prices-'))
afterAll(() => rmSync(home, {recursive: true, force: true}))

it('catalog ls prices with the configured prices, as plug up does', async () => {
  const context = new AimsContext({env: {...IO.test().env, AIMS_HOME: home, HOME: home, AIMS_HOST: 'none'}})
  for (const [key, value] of [
    ['prices.currency', 'EUR'],
    ['prices.cpu-monthly', '9'],
  ] as const)
    expect((await runCommand(ConfigSet, [key, value], {context})).code).toBe(0)
  const listed = await runCommand(CatalogLs, ['--json'], {context})
  expect(listed.code, listed.stderr).toBe(0)
  const n8n = (JSON.parse(listed.stdout) as {plugs: Array<{id: string; monthlyCost: {total: number}}>}).plugs.find(
    (plug) => plug.id === 'n8n',
  )
  const prices = await context.prices()
  expect(prices).toMatchObject({currency: 'EUR', cpuMonthly: 9})
  expect(n8n?.monthlyCost).toEqual(estimateMonthlyCost(resourceTotals(catalogPlug('n8n')), prices))
})
