/**
 * The words the parser knows. They matter in two ways: a known word is never
 * taken for a plug, instance or tenant name (so "host" is not a typo of
 * "ghost"), and the command words are what typos are corrected towards.
 */

/**
 * Command words a typo may be corrected to, most useful first (a tie goes to
 * the earlier word: "stat" → "stats", not "start").
 */
export const COMMAND_WORDS = [
  'deploy',
  'install',
  'launch',
  'provision',
  'restart',
  'reboot',
  'stats',
  'status',
  'start',
  'stop',
  'scale',
  'resize',
  'logs',
  'export',
  'bundle',
  'decommission',
  'remove',
  'delete',
  'destroy',
  'uninstall',
  'events',
  'health',
  'healthy',
  'audit',
  'doctor',
  'catalog',
  'search',
  'replicas',
  'memory',
  'instances',
  'instance',
  'running',
  'tenant',
  'category',
  'dashboard',
  'diagnose',
  'config',
  'settings',
  'follow',
  'lines',
  'service',
  'expose',
  'domain',
  'servers',
  'hosts',
  'show',
  'list',
  'describe',
]

const FUNCTION_WORDS = `a an the this that these those it its it's them they their there here what which who whom whose
where when why how is are was were be been being am do does did done doing have has had having will would shall should
can could may might must i me my mine we us our ours you your yours he him his she her hers one ones some any all
every each both either neither none no not nothing something anything everything everyone someone anyone somebody
anybody else other others another such same own and or but nor so yet if then than because as of at by for from in
into on onto to with without within about above below over under up down out off again back further once only just
very too also really quite rather still even ever never now already soon later please pls plz thanks thank thx kindly
could maybe perhaps actually basically just hey hi hello ok okay yes yeah yep sure right want wants wanted need needs
needed like would love let lets go going gonna get gets got getting give given gives make makes made let's let us
can't won't don't tell told say said see seen look looks know think help use used using try able new fresh another
second more less most least much many few lot lots little bit couple single half some thing things stuff way kind sort
type now today currently current latest last recent recently first next previous real time live right away asap
quickly fast slow please also too via per each whole entire full self own client clients customer customers user users
team org company someone`

const DOMAIN_WORDS = `plug plugs app apps application applications tool tools software service services container
containers thing things instance instances deployment deployments deploy deployed deploying install installed
installing launch launched spin spun set setup run runs running ran start started starting stop stopped stopping
restart restarted restarting reboot bounce cycle kick scale scaled scaling resize replicas replica copies copy workers
worker nodes node cpu cpus core cores vcpu vcpus processor processors memory ram mem gb gig gigs gigabyte gigabytes mb
meg megs megabyte megabytes tb kb g m t k logs log logging output lines line entries tail follow following stream
streaming watch watching status state health healthy unhealthy doing alive working online offline ok fine broken wrong
failing sick problem problems issue issues stats statistics usage metrics load consumption cost costs resources
resource export exported exporting bundle package self-host selfhost selfhosting selfhosted handover hand down
decommission decommissioned destroy delete deleted remove removed uninstall teardown tear take bring kill nuke
terminate purge drop keep keeping data volume volumes files preserve catalog catalogue search find browse available
offer offers category categories list listing show display view describe details detail info information about explain
options option recommend suggest dock tui dashboard panel view overview screen board events event happened happening
happen activity audit history changes changed change applied trail doctor diagnose diagnostics troubleshoot check
checkup connection setup environment docker engine ssh reachable host hosts server servers vps vpses machine machines
default switch select target config configuration settings setting preferences preference provider model key value
tenant tenants name named called env environment variable variables var vars domain domains subdomain url public
publicly private expose exposed link linked connect connected attach attached wire wired ps ls rm up open close zero
stack base aims folder directory dir overview`

const WORDS = new Set(`${FUNCTION_WORDS} ${DOMAIN_WORDS}`.split(/\s+/).filter(Boolean))
const GRAMMAR_WORDS = new Set(FUNCTION_WORDS.split(/\s+/).filter(Boolean))

/** An English function word ("the", "of", "please"): never a name, even where a name is expected. */
export const isFunctionWord = (word: string) =>
  GRAMMAR_WORDS.has(word) || ['logs', 'log', 'called', 'named'].includes(word)

/** A word the parser knows: never a name, never a typo. */
export const isKnownWord = (word: string) => WORDS.has(word)

/** Words for servers ("list my servers", "switch to the staging host"). */
export const HOST_NOUN = String.raw`(?:hosts?|servers?|vps(?:es)?|machines?|boxes|box)`

/**
 * Category words people use, to the catalog's category names. Only
 * categories that exist in the catalog at hand are ever used.
 */
export const CATEGORY_SYNONYMS: Record<string, string> = {
  ai: 'ai',
  llm: 'ai',
  llms: 'ai',
  'artificial intelligence': 'ai',
  'machine learning': 'ai',
  agents: 'ai',
  agent: 'ai',
  automation: 'automation',
  automations: 'automation',
  workflow: 'automation',
  workflows: 'automation',
  monitoring: 'monitoring',
  observability: 'monitoring',
  uptime: 'monitoring',
  devtools: 'devtools',
  'dev tools': 'devtools',
  'developer tools': 'devtools',
  'development tools': 'devtools',
  devtool: 'devtools',
  security: 'security',
  passwords: 'security',
  cms: 'cms',
  cmses: 'cms',
  blogging: 'cms',
  'content management': 'cms',
  publishing: 'cms',
  analytics: 'analytics',
  bi: 'analytics',
  reporting: 'analytics',
  storage: 'storage',
  'object storage': 'storage',
  database: 'database',
  databases: 'database',
  db: 'database',
  dbs: 'database',
  productivity: 'productivity',
  collaboration: 'productivity',
  office: 'productivity',
  testing: 'testing',
  test: 'testing',
  tests: 'testing',
  fixtures: 'testing',
}

/** Config keys and the phrases that name them. Keys follow `aims config` (ai.* from issue 7). */
export const CONFIG_KEYS: Array<{key: string; phrases: string[]; kind: 'tenant' | 'word' | 'url'}> = [
  {
    key: 'default-tenant',
    phrases: ['default tenant', 'default-tenant', 'tenant default', 'default client'],
    kind: 'tenant',
  },
  {
    key: 'ai.provider',
    phrases: ['ai provider', 'ai.provider', 'llm provider', 'model provider', 'provider', 'ai backend'],
    kind: 'word',
  },
  {key: 'ai.model', phrases: ['ai model', 'ai.model', 'llm model', 'language model', 'model'], kind: 'word'},
  {
    key: 'ai.base-url',
    phrases: ['ai base url', 'ai.base-url', 'base url', 'base-url', 'baseurl', 'api url', 'endpoint'],
    kind: 'url',
  },
]
