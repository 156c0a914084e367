// The public page and the Atom feed of summaries: pure functions from views to text.
import { createHash } from 'node:crypto'
import { Marked } from 'marked'
import sanitizeHtml from 'sanitize-html'
import { Feed } from 'feed'
import { pick, type Language, type Localized } from '../../lib/localized.ts'
import type { PartnerRow, WorkshopRow } from '../workshops/workshops.repository.ts'
import type { SummaryView } from './summaries.schemas.ts'

const LABELS = {
  en: {
    quotes: 'What they said', outcomes: 'Outcomes', figures: 'In figures', partners: 'Organised in partnership by',
    contacts: 'Media contact', figure: 'Figure', value: 'Number', registered: 'Registrations confirmed',
    attendees: 'People who attended (checked in on at least one day)', sessionsHeld: 'Sessions held', sessionsCancelled: 'Sessions cancelled',
    speakers: 'Speakers', partnerCount: 'Partner organisations', day: 'Day', attendanceByDay: 'Attendance by day',
    attendanceBySector: 'Attendees by sector', byOrganisation: 'Attendees by organisation', organisation: 'Organisation',
    people: 'People', other: 'العربية', otherLang: 'ar', feed: 'All summaries (Atom feed)', dayN: 'Day',
  },
  ar: {
    quotes: 'ماذا قالوا', outcomes: 'النتائج', figures: 'بالأرقام', partners: 'بالشراكة بين',
    contacts: 'التواصل الإعلامي', figure: 'البند', value: 'العدد', registered: 'التسجيلات المؤكدة',
    attendees: 'الحضور (سُجّل حضورهم يوماً واحداً على الأقل)', sessionsHeld: 'الجلسات المنعقدة', sessionsCancelled: 'الجلسات الملغاة',
    speakers: 'المتحدثون', partnerCount: 'المنظمات الشريكة', day: 'اليوم', attendanceByDay: 'الحضور حسب اليوم',
    attendanceBySector: 'الحضور حسب القطاع', byOrganisation: 'الحضور حسب المنظمة', organisation: 'المنظمة',
    people: 'الأشخاص', other: 'English', otherLang: 'en', feed: 'جميع الملخصات (موجز Atom)', dayN: 'اليوم',
  },
} as const

const SECTOR_LABELS: Record<string, Record<Language, string>> = {
  government: { en: 'Government', ar: 'الحكومة' },
  un_agency: { en: 'UN agencies', ar: 'وكالات الأمم المتحدة' },
  donor: { en: 'Donors and funds', ar: 'الجهات المانحة والصناديق' },
  academia: { en: 'Academia', ar: 'الأوساط الأكاديمية' },
  civil_society: { en: 'Civil society', ar: 'المجتمع المدني' },
  private_sector: { en: 'Private sector', ar: 'القطاع الخاص' },
  media: { en: 'Media', ar: 'الإعلام' },
  other: { en: 'Other', ar: 'أخرى' },
}

const ROLE_LABELS: Record<string, Record<Language, string>> = {
  host: { en: 'host', ar: 'الجهة المضيفة' },
  co_organiser: { en: 'co-organiser', ar: 'جهة منظِّمة' },
  funder: { en: 'funder', ar: 'جهة مموِّلة' },
  partner: { en: 'partner', ar: 'شريك' },
}

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const markdown = new Marked({ gfm: true, breaks: false })

/** Markdown to HTML that keeps only harmless markup: no script, no style, no event handlers, only http(s) and mailto links. */
export function renderMarkdown (text: string): string {
  const html = markdown.parse(text, { async: false })
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'u', 's', 'a', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'code', 'pre', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'sub'],
    allowedAttributes: { a: ['href', 'title', 'rel'], th: ['scope'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }) },
  })
}

function formatDay (day: string, lang: Language): string {
  return new Intl.DateTimeFormat(lang === 'ar' ? 'ar-IQ-u-nu-latn' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(`${day}T12:00:00Z`))
}

/** Horizontal bars as inline SVG (no script, no external resource); mirrored for right-to-left pages. */
function barChart (title: string, bars: Array<{ label: string, value: number }>, rtl: boolean, id: string): string {
  const width = 640
  const labelWidth = 230
  const row = 30
  const top = 8
  const height = top * 2 + bars.length * row
  const max = Math.max(1, ...bars.map((b) => b.value))
  const span = width - labelWidth - 70
  const parts = bars.map((bar, i) => {
    const y = top + i * row
    const w = Math.round((bar.value / max) * span)
    const labelX = rtl ? width - 4 : labelWidth - 10
    const barX = rtl ? width - labelWidth - w : labelWidth
    const countX = rtl ? width - labelWidth - w - 6 : labelWidth + w + 6
    const countAnchor = rtl ? 'end' : 'start'
    return `<text x="${labelX}" y="${y + 19}" text-anchor="end" class="label">${escapeHtml(bar.label)}</text>` +
      `<rect x="${barX}" y="${y + 5}" width="${w}" height="20" rx="2" class="bar"/>` +
      `<text x="${countX}" y="${y + 19}" text-anchor="${countAnchor}" class="count">${bar.value}</text>`
  })
  return `<figure class="chart"><figcaption id="${id}">${escapeHtml(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}" direction="ltr">` +
    parts.join('') + '</svg></figure>'
}

const STYLE = `
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6673; --accent: #0468b1; --rule: #d8dee4; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.65 "Noto Naskh Arabic", "Noto Sans", "DejaVu Sans", system-ui, sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; background: #fff; }
nav { display: flex; justify-content: space-between; gap: 1rem; font-size: .9rem; color: var(--muted); border-bottom: 1px solid var(--rule); padding-bottom: .6rem; }
nav a, a { color: var(--accent); }
h1 { font-size: 1.9rem; line-height: 1.3; margin: 1.2rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; }
.dateline { font-weight: 700; }
.lead { font-size: 1.1rem; }
blockquote { margin: 1rem 0; padding: .75rem 1rem; background: #f1f5f9; border-inline-start: 4px solid var(--accent); }
blockquote p { margin: 0 0 .5rem; }
blockquote footer { color: var(--muted); font-size: .92rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: start; padding: .35rem .5rem; border-bottom: 1px solid var(--rule); }
td.n { text-align: end; font-variant-numeric: tabular-nums; }
figure.chart { margin: 1rem 0 1.5rem; }
figure.chart figcaption { font-weight: 700; margin-bottom: .3rem; }
svg .label { font-size: 14px; fill: var(--ink); }
svg .count { font-size: 13px; fill: var(--muted); }
svg .bar { fill: var(--accent); }
ul.partners li span { color: var(--muted); }
a.phone { white-space: nowrap; }
footer.page { margin-top: 2.5rem; font-size: .85rem; color: var(--muted); border-top: 1px solid var(--rule); padding-top: .6rem; }
`

/** The page's own Content-Security-Policy: its one style element by hash; nothing else, no script at all. */
export const SUMMARY_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export interface PageInput {
  summary: SummaryView
  workshop: WorkshopRow
  partners: PartnerRow[]
  lang: Language
}

/** The press-release page of a published summary. Everything organisers typed is escaped, Markdown sanitised. */
export function renderSummaryPage ({ summary, workshop, partners, lang }: PageInput): string {
  const L = LABELS[lang]
  const t = (text: Localized | null | undefined) => escapeHtml(pick(text, lang))
  const rtl = lang === 'ar'
  const figures = summary.figures!
  const section = (title: string, html: string) => (html ? `<section><h2>${escapeHtml(title)}</h2>${html}</section>` : '')

  const comma = rtl ? '، ' : ', '
  const dateline = summary.dateline
    ? `<span class="dateline">${t(summary.dateline.place)}${comma}${escapeHtml(formatDay(summary.dateline.date, lang))}</span> – `
    : ''
  const lead = summary.lead || dateline ? `<p class="lead">${dateline}${t(summary.lead)}</p>` : ''
  const body = summary.body ? `<div class="body">${renderMarkdown(pick(summary.body, lang))}</div>` : ''

  const quotes = summary.quotes.map((q) => {
    const who = [escapeHtml(q.name), t(q.title), t(q.organisation)].filter(Boolean).join(comma)
    const [open, close] = rtl ? ['"', '"'] : ['“', '”']
    return `<blockquote><p>${open}${t(q.text)}${close}</p><footer>— ${who}</footer></blockquote>`
  }).join('')

  const outcomes = summary.outcomes.length ? `<ul>${summary.outcomes.map((o) => `<li>${t(o)}</li>`).join('')}</ul>` : ''

  const rows: Array<[string, number]> = [
    [L.registered, figures.registrations.confirmed],
    [L.attendees, figures.attendees],
    [L.sessionsHeld, figures.sessions.held],
    [L.sessionsCancelled, figures.sessions.cancelled],
    [L.speakers, figures.speakers],
    [L.partnerCount, figures.partners],
  ]
  const sectors = Object.entries(figures.attendees_by_sector).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
  const table = (head: [string, string], body: Array<[string, number]>) =>
    `<table><thead><tr><th scope="col">${escapeHtml(head[0])}</th><th scope="col">${escapeHtml(head[1])}</th></tr></thead><tbody>` +
    body.map(([label, n]) => `<tr><td>${escapeHtml(label)}</td><td class="n">${n}</td></tr>`).join('') + '</tbody></table>'
  const days = figures.attendance_per_day.map((d, i) => ({ label: `${L.dayN} ${i + 1} (${formatDay(d.date, lang)})`, value: d.count }))
  const figuresHtml = table([L.figure, L.value], rows) +
    barChart(L.attendanceByDay, days, rtl, 'chart-days') +
    (sectors.length ? barChart(L.attendanceBySector, sectors.map(([s, n]) => ({ label: SECTOR_LABELS[s][lang], value: n })), rtl, 'chart-sectors') : '') +
    (figures.attendees_by_organisation.length
      ? `<h3>${escapeHtml(L.byOrganisation)}</h3>` + table([L.organisation, L.people], figures.attendees_by_organisation.map((o) => [pick(o.name, lang), o.count]))
      : '')

  const partnerList = partners.length
    ? `<ul class="partners">${partners.map((p) => {
        const name = pick(p.organisation.name, lang)
        const acronym = p.organisation.acronym && p.organisation.acronym !== name ? ` (${escapeHtml(p.organisation.acronym)})` : ''
        return `<li>${escapeHtml(name)}${acronym} <span>– ${escapeHtml(ROLE_LABELS[p.role][lang])}</span></li>`
      }).join('')}</ul>`
    : ''

  const contacts = summary.contacts.map((c) => {
    const parts = [`<strong>${escapeHtml(c.name)}</strong>`]
    if (c.title) parts.push(t(c.title))
    if (c.email) parts.push(`<a href="mailto:${escapeHtml(c.email)}">${escapeHtml(c.email)}</a>`)
    if (c.phone) parts.push(`<a href="tel:${escapeHtml(c.phone.replace(/[^+0-9]/g, ''))}" dir="ltr" class="phone">${escapeHtml(c.phone)}</a>`)
    return `<p>${parts.join(comma)}</p>`
  }).join('')

  const other = L.otherLang
  return `<!doctype html>
<html lang="${lang}" dir="${rtl ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(summary.headline)}</title>
<link rel="alternate" hreflang="${other}" href="?lang=${other}">
<style>${STYLE}</style>
</head>
<body>
<main>
<nav><span>${t(workshop.title)}</span><a href="?lang=${other}" hreflang="${other}" lang="${other}">${escapeHtml(L.other)}</a></nav>
<article>
<h1>${t(summary.headline)}</h1>
${lead}
${body}
${section(L.quotes, quotes)}
${section(L.outcomes, outcomes)}
${section(L.figures, figuresHtml)}
${section(L.partners, partnerList)}
${section(L.contacts, contacts)}
</article>
<footer class="page"><a href="/v1/summaries/feed.atom" type="application/atom+xml">${escapeHtml(L.feed)}</a></footer>
</main>
</body>
</html>
`
}

/** Atom 1.0 feed of published summaries, one entry per summary, linking its page. */
export function renderSummaryFeed (items: SummaryView[], publicUrl: string): string {
  const updated = items.reduce((latest, s) => (s.updated_at > latest ? s.updated_at : latest), '1970-01-01T00:00:00.000Z')
  const feed = new Feed({
    id: `${publicUrl}/v1/summaries/feed.atom`,
    title: 'Nadwa: workshop summaries',
    description: 'Post-event summaries of workshops, newest first',
    link: `${publicUrl}/v1/summaries`,
    feedLinks: { atom: `${publicUrl}/v1/summaries/feed.atom` },
    updated: new Date(updated),
    author: { name: 'Nadwa' },
    generator: 'Nadwa',
  })
  // The feed package marks titles and summaries as type="html": escaped, so readers show the text as typed.
  for (const s of items) {
    feed.addItem({
      id: s.page_url,
      title: escapeHtml(pick(s.headline, 'en')),
      link: s.page_url,
      description: s.lead ? escapeHtml(pick(s.lead, 'en')) : undefined,
      date: new Date(s.updated_at),
      published: new Date(s.published_at!),
    })
  }
  return feed.atom1()
}
