/** Text that people read, in Arabic and/or English. At least one language is present. */
export interface Localized {
  ar?: string
  en?: string
}

export const LANGUAGES = ['ar', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

/** Picks one language of a localized text, falling back to the other when it is missing. */
export function pick (text: Localized | null | undefined, lang: Language): string {
  if (!text) return ''
  return text[lang] ?? text[lang === 'ar' ? 'en' : 'ar'] ?? ''
}

/**
 * The reader's language: `?lang=` first, then the best Accept-Language match, then the fallback
 * (the workshop's default_language).
 */
export function chooseLanguage (query: string | undefined, acceptLanguage: string | undefined, fallback: Language): Language {
  if (query && (LANGUAGES as readonly string[]).includes(query)) return query as Language
  if (acceptLanguage) {
    const ranked = acceptLanguage.split(',')
      .map((part, index) => {
        const [tag, ...params] = part.trim().toLowerCase().split(';')
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
        return { lang: tag.split('-')[0], q: q ? Number(q.slice(2)) : 1, index }
      })
      .filter((r) => (LANGUAGES as readonly string[]).includes(r.lang) && r.q > 0)
      .sort((a, b) => b.q - a.q || a.index - b.index)
    if (ranked.length > 0) return ranked[0].lang as Language
  }
  return fallback
}
