/**
 * The catalog and running instances the intent tests parse against: the 16
 * real catalog ids plus the two test fixtures, and instances spread over
 * tenants so that some names are unique, some live in the default tenant and
 * one (n8n) is ambiguous.
 */
import type {IntentContext} from '../../../../src/core/intents/index.js'

export const catalog: IntentContext['catalog'] = [
  {
    id: 'n8n',
    name: 'n8n',
    category: 'automation',
    tags: ['workflow', 'automation', 'integrations', 'no-code'],
    description: 'Workflow automation with hundreds of integrations',
  },
  {
    id: 'deerflow',
    name: 'DeerFlow',
    category: 'ai',
    tags: ['research', 'agents', 'llm', 'deep-research'],
    description: 'Deep research agent framework',
  },
  {
    id: 'uptime-kuma',
    name: 'Uptime Kuma',
    category: 'monitoring',
    tags: ['monitoring', 'uptime', 'status-page', 'alerts'],
    description: 'Self-hosted uptime monitoring',
  },
  {
    id: 'gitea',
    name: 'Gitea',
    category: 'devtools',
    tags: ['git', 'code-hosting', 'ci'],
    description: 'Lightweight Git hosting',
  },
  {
    id: 'open-webui',
    name: 'Open WebUI',
    category: 'ai',
    tags: ['llm', 'chat', 'ollama', 'ui'],
    description: 'A web UI for local and hosted LLMs',
  },
  {
    id: 'flowise',
    name: 'Flowise',
    category: 'ai',
    tags: ['llm', 'agents', 'low-code', 'workflow'],
    description: 'Build LLM flows visually',
  },
  {
    id: 'vaultwarden',
    name: 'Vaultwarden',
    category: 'security',
    tags: ['passwords', 'password-manager', 'bitwarden'],
    description: 'Bitwarden-compatible password manager',
  },
  {
    id: 'ghost',
    name: 'Ghost',
    category: 'cms',
    tags: ['blog', 'publishing', 'newsletter'],
    description: 'Publishing platform for blogs and newsletters',
  },
  {
    id: 'metabase',
    name: 'Metabase',
    category: 'analytics',
    tags: ['bi', 'dashboards', 'sql', 'reporting'],
    description: 'Business intelligence and dashboards',
  },
  {
    id: 'grafana',
    name: 'Grafana',
    category: 'monitoring',
    tags: ['dashboards', 'metrics', 'observability'],
    description: 'Dashboards for metrics and logs',
  },
  {
    id: 'minio',
    name: 'MinIO',
    category: 'storage',
    tags: ['s3', 'object-storage', 'files'],
    description: 'S3-compatible object storage',
  },
  {
    id: 'postgres',
    name: 'PostgreSQL',
    category: 'database',
    tags: ['sql', 'relational', 'database'],
    description: 'The relational database',
  },
  {
    id: 'redis',
    name: 'Redis',
    category: 'database',
    tags: ['cache', 'key-value', 'queue'],
    description: 'In-memory key-value store',
  },
  {
    id: 'agent-zero',
    name: 'Agent Zero',
    category: 'ai',
    tags: ['agents', 'autonomous', 'llm'],
    description: 'A personal autonomous AI agent',
  },
  {
    id: 'nextcloud',
    name: 'Nextcloud',
    category: 'productivity',
    tags: ['files', 'sync', 'calendar', 'collaboration'],
    description: 'Files, calendar and collaboration',
  },
  {
    id: 'langflow',
    name: 'Langflow',
    category: 'ai',
    tags: ['llm', 'agents', 'visual', 'workflow'],
    description: 'Visual builder for LLM apps',
  },
  {
    id: 'fixture-web',
    name: 'Fixture web',
    category: 'testing',
    tags: ['fixture', 'http', 'test'],
    description: 'A tiny HTTP server for tests',
  },
  {
    id: 'fixture-stack',
    name: 'Fixture stack',
    category: 'testing',
    tags: ['fixture', 'multi-service', 'test'],
    description: 'Two services for tests',
  },
]

export const instances: IntentContext['instances'] = [
  {tenant: 'acme', instance: 'n8n', plug: 'n8n'},
  {tenant: 'globex', instance: 'n8n', plug: 'n8n'},
  {tenant: 'default', instance: 'gitea', plug: 'gitea'},
  {tenant: 'acme', instance: 'uptime-kuma', plug: 'uptime-kuma'},
  {tenant: 'acme', instance: 'postgres', plug: 'postgres'},
  {tenant: 'acme', instance: 'blog', plug: 'ghost'},
  {tenant: 'globex', instance: 'grafana', plug: 'grafana'},
  {tenant: 'default', instance: 'web', plug: 'fixture-web'},
  {tenant: 'initech', instance: 'metabase', plug: 'metabase'},
  {tenant: 'initech', instance: 'redis', plug: 'redis'},
]

export const context: IntentContext = {catalog, instances, defaultTenant: 'default'}

/** One row of an utterance table: exactly one of argv, clarify (the options, any order) or unknown. */
export interface UtteranceCase {
  text: string
  argv?: string[]
  clarify?: string[]
  unknown?: true
}
