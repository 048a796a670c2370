// `npm run changelog` (conventional-changelog, preset conventionalcommits).
//
// Why this file: conventional-changelog-writer 9.3 renders with template
// FUNCTIONS (@conventional-changelog/template), while the conventionalcommits
// preset (9.3.1) still hands it Handlebars STRINGS (headerPartial, …), which
// the writer then calls: "TypeError: headerPartial is not a function". The
// preset keeps doing everything else (parsing, types → sections, hiding
// chore/test, sorting); these functions render the same layout the preset's
// Handlebars templates describe. Writer options given here override the
// preset's (conventional-changelog composes preset, then config).

const link = (text, url) => (url ? `[${text}](${url})` : text)
const repoUrl = (context) =>
  context.host && context.owner && context.repository
    ? `${context.host}/${context.owner}/${context.repository}`
    : context.repoUrl

function headerPartial(context) {
  const compare =
    context.linkCompare && repoUrl(context)
      ? `${repoUrl(context)}/compare/${context.previousTag}...${context.currentTag}`
      : undefined
  const version = link(context.version ?? 'Unreleased', compare)
  return `## ${version}${context.title ? ` "${context.title}"` : ''}${context.date ? ` (${context.date})` : ''}`
}

function commitPartial(context, commit) {
  const base = repoUrl(context)
  const hash = commit.shortHash ?? (typeof commit.hash === 'string' ? commit.hash.slice(0, 7) : undefined)
  const hashText = hash
    ? ` (${context.linkReferences && base ? link(hash, `${base}/commit/${commit.hash}`) : hash})`
    : ''
  const references = (commit.references ?? []).map((reference) => `${reference.prefix ?? '#'}${reference.issue}`)
  return `* ${commit.scope ? `**${commit.scope}:** ` : ''}${commit.subject ?? commit.header}${hashText}${references.length > 0 ? `, closes ${references.join(' ')}` : ''}`
}

function template(context) {
  const sections = [headerPartial(context)]
  for (const group of context.noteGroups ?? []) {
    sections.push(
      `### ⚠ ${group.title}\n\n${group.notes.map((note) => `* ${note.commit?.scope ? `**${note.commit.scope}:** ` : ''}${note.text}`).join('\n')}`,
    )
  }
  for (const group of context.commitGroups ?? []) {
    const lines = group.commits.map((commit) => commitPartial(context, commit)).join('\n')
    sections.push(group.title ? `### ${group.title}\n\n${lines}` : lines)
  }
  return `${sections.join('\n\n')}\n`
}

export default {
  writer: {
    template,
    headerPartial,
    commitPartial,
    preamblePartial: () => '',
    footerPartial: () => '',
  },
}
