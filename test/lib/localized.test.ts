import t from 'tap'
import { chooseLanguage, pick } from '../../src/lib/localized.ts'

t.test('pick falls back to the other language', async (t) => {
  t.equal(pick({ ar: 'مرحبا', en: 'Hello' }, 'ar'), 'مرحبا')
  t.equal(pick({ en: 'Hello' }, 'ar'), 'Hello')
  t.equal(pick({ ar: 'مرحبا' }, 'en'), 'مرحبا')
  t.equal(pick({}, 'en'), '')
  t.equal(pick(null, 'en'), '')
})

t.test('chooseLanguage: ?lang=, then Accept-Language by weight, then the fallback', async (t) => {
  t.equal(chooseLanguage('ar', 'en', 'en'), 'ar')
  t.equal(chooseLanguage('fr', undefined, 'ar'), 'ar', 'an unknown ?lang= is ignored')
  t.equal(chooseLanguage(undefined, 'fr-FR, ar-IQ;q=0.8, en;q=0.5', 'en'), 'ar')
  t.equal(chooseLanguage(undefined, 'en;q=0.2, ar;q=0.9', 'en'), 'ar')
  t.equal(chooseLanguage(undefined, 'en-GB', 'ar'), 'en')
  t.equal(chooseLanguage(undefined, 'ar;q=0, de', 'en'), 'en')
  t.equal(chooseLanguage(undefined, 'en, ar', 'ar'), 'en', 'equal weights keep the order')
})
