// The reference workshop (/work/shared/seed): UNDP and the Government of Iraq, strategic planning for
// reintegration, Baghdad, 5-7 February 2023. The facts, names and quotes come from the press release;
// the timetable, rooms and participants are INVENTED for the demo (the release gives none).
import type { Localized } from '../lib/localized.ts'
import type { Sector } from '../modules/organisations/organisations.table.ts'

export interface SeedOrganisation { key: string, name: Localized, acronym?: string, sector: Sector, country?: string, website?: string }
export interface SeedSpeaker { key: string, name: string, title: Localized, organisation: string }
export interface SeedSession {
  title: Localized, description?: Localized, kind: 'plenary' | 'keynote' | 'panel' | 'working_group' | 'break' | 'other'
  day: string, start: string, end: string, room: string, speakers?: string[], language?: 'ar' | 'en'
}
export interface SeedRegistration { name: string, email: string, title: string, organisation: string, status: 'confirmed' | 'cancelled', days: string[] }

export const WORKSHOP = {
  slug: 'baghdad-reintegration-workshop-2023',
  title: {
    ar: 'ورشة عمل حول التخطيط الاستراتيجي لإعادة الادماج في العراق',
    en: 'Workshop on strategic planning for reintegration in Iraq',
  },
  description: {
    ar: 'ورشة عمل مدتها ثلاثة أيام تجمع خبراء ومختصين في إعادة الإدماج وممثلين عن الحكومة والأوساط الأكاديمية والمجتمع المدني ووكالات الأمم المتحدة لمناقشة مكونات ونهج سياسة إعادة الإدماج. (بيانات تجريبية: الجدول الزمني والمشاركون مُختلَقون.)',
    en: 'A three-day workshop bringing together experts and specialists in reintegration with representatives of government, academia, civil society and UN agencies to discuss the components and approaches of a reintegration policy. (Demo data: the timetable and the participants are invented; the press release gives none.)',
  },
  timezone: 'Asia/Baghdad',
  start_date: '2023-02-05',
  end_date: '2023-02-07',
  venue: { name: { ar: 'بغداد', en: 'Baghdad' }, city: { ar: 'بغداد', en: 'Baghdad' }, country: 'IQ' },
  default_language: 'ar' as const,
  capacity: 80,
}

export const DAYS = ['2023-02-05', '2023-02-06', '2023-02-07']

export const ORGANISATIONS: SeedOrganisation[] = [
  // The partners named in the release.
  { key: 'goi', name: { ar: 'حكومة العراق', en: 'Government of Iraq' }, acronym: 'GoI', sector: 'government', country: 'IQ' },
  { key: 'undp', name: { ar: 'برنامج الأمم المتحدة الإنمائي', en: 'United Nations Development Programme' }, acronym: 'UNDP', sector: 'un_agency', website: 'https://www.undp.org/iraq' },
  { key: 'gcerf', name: { ar: 'الصندوق العالمي لدعم المجتمعات المحلية ومساعدتها على الصمود', en: 'Global Community Engagement and Resilience Fund' }, acronym: 'GCERF', sector: 'donor', website: 'https://www.gcerf.org' },
  // The speakers' organisations, named in the release.
  { key: 'pmo', name: { ar: 'مكتب رئيس الوزراء', en: "Prime Minister's Office" }, sector: 'government', country: 'IQ' },
  { key: 'onsa', name: { ar: 'مستشارية الأمن القومي', en: 'Office of the National Security Advisor' }, acronym: 'ONSA', sector: 'government', country: 'IQ' },
  { key: 'momd', name: { ar: 'وزارة الهجرة والمهجرين', en: 'Ministry of Migration and Displaced' }, acronym: 'MoMD', sector: 'government', country: 'IQ' },
  // Participant organisations: invented for the demo, by the sectors the release names.
  { key: 'molsa', name: { ar: 'وزارة العمل والشؤون الاجتماعية', en: 'Ministry of Labour and Social Affairs' }, acronym: 'MoLSA', sector: 'government', country: 'IQ' },
  { key: 'uob', name: { ar: 'جامعة بغداد', en: 'University of Baghdad' }, sector: 'academia', country: 'IQ' },
  { key: 'uom', name: { ar: 'جامعة الموصل', en: 'University of Mosul' }, sector: 'academia', country: 'IQ' },
  { key: 'cso-network', name: { ar: 'شبكة منظمات المجتمع المدني للتماسك المجتمعي', en: 'Civil Society Network for Social Cohesion' }, sector: 'civil_society', country: 'IQ' },
  { key: 'cso-women', name: { ar: 'جمعية النساء من أجل السلام', en: 'Women for Peace Association' }, sector: 'civil_society', country: 'IQ' },
  { key: 'iom', name: { ar: 'المنظمة الدولية للهجرة', en: 'International Organization for Migration' }, acronym: 'IOM', sector: 'un_agency' },
  { key: 'unicef', name: { ar: 'منظمة الأمم المتحدة للطفولة', en: "United Nations Children's Fund" }, acronym: 'UNICEF', sector: 'un_agency' },
]

export const PARTNERS: Array<{ organisation: string, role: 'host' | 'co_organiser' | 'funder' | 'partner' }> = [
  { organisation: 'goi', role: 'host' },
  { organisation: 'undp', role: 'co_organiser' },
  { organisation: 'gcerf', role: 'funder' },
]

export const SPEAKERS: SeedSpeaker[] = [
  { key: 'lootsma', name: 'Auke Lootsma', title: { ar: 'الممثل المقيم لبرنامج الأمم المتحدة الإنمائي في العراق', en: 'UNDP Resident Representative in Iraq' }, organisation: 'undp' },
  { key: 'obaid', name: 'Zaidan Khalaf Obaid', title: { ar: 'مستشار رئيس الوزراء لحقوق الإنسان', en: 'Advisor to the Prime Minister for Human Rights' }, organisation: 'pmo' },
  { key: 'tamimi', name: 'Dr. Mohammed Taher Al-Tamimi', title: { ar: 'المدير العام للمتابعة الحكومية والتنسيق', en: 'Director General for Government Follow-up and Coordination' }, organisation: 'onsa' },
  { key: 'jahangir', name: 'Ali Abbas Jahangir', title: { ar: 'مدير عام إدارة الفروع', en: 'Director General of Branches' }, organisation: 'momd' },
]

export const ROOMS = [
  { key: 'hall', name: { ar: 'القاعة الرئيسية', en: 'Main hall' }, capacity: 80 },
  { key: 'a', name: { ar: 'القاعة أ', en: 'Room A' }, capacity: 30 },
  { key: 'b', name: { ar: 'القاعة ب', en: 'Room B' }, capacity: 30 },
]

const INVENTED = { ar: '(جلسة مُختلَقة لأغراض العرض)', en: '(Invented for the demo timetable.)' }
const s = (day: number, start: string, end: string, kind: SeedSession['kind'], title: Localized, extra: Partial<SeedSession> = {}): SeedSession =>
  ({ day: DAYS[day - 1], start, end, kind, title, room: 'hall', description: INVENTED, ...extra })
const coffee = (day: number, start: string, end: string) => s(day, start, end, 'break', { ar: 'استراحة قهوة', en: 'Coffee break' })
const lunch = (day: number) => s(day, '13:00', '14:00', 'break', { ar: 'استراحة غداء', en: 'Lunch' })

/** An invented, plausible timetable (Asia/Baghdad local times). */
export const SESSIONS: SeedSession[] = [
  s(1, '09:00', '10:30', 'plenary', { ar: 'الجلسة الافتتاحية', en: 'Opening plenary' }, { speakers: ['lootsma', 'obaid', 'tamimi', 'jahangir'], language: 'ar' }),
  coffee(1, '10:30', '11:00'),
  s(1, '11:00', '13:00', 'panel', { ar: 'الأطر الدولية وأفضل الممارسات في إعادة الإدماج', en: 'International frameworks and best practice in reintegration' }),
  lunch(1),
  s(1, '14:00', '15:30', 'working_group', { ar: 'مكونات سياسة إعادة الإدماج', en: 'Components of a reintegration policy' }, { room: 'a' }),
  s(1, '14:00', '15:30', 'working_group', { ar: 'التحديات الدولية والدروس المستفادة', en: 'International challenges and lessons learnt' }, { room: 'b' }),
  s(2, '09:00', '10:30', 'panel', { ar: 'العائلات العراقية العائدة من مخيم الهول', en: 'Iraqi families returning from al-Hol camp' }, { speakers: ['jahangir'] }),
  coffee(2, '10:30', '11:00'),
  s(2, '11:00', '13:00', 'panel', { ar: 'قبول المجتمع والتماسك المجتمعي', en: 'Community acceptance and social cohesion' }, { speakers: ['obaid'] }),
  lunch(2),
  s(2, '14:00', '15:30', 'working_group', { ar: 'إعادة التأهيل النفسي والاجتماعي', en: 'Psychosocial rehabilitation' }, { room: 'a' }),
  s(2, '14:00', '15:30', 'working_group', { ar: 'سبل العيش في مناطق العودة', en: 'Livelihoods in areas of return' }, { room: 'b' }),
  s(3, '09:00', '10:30', 'working_group', { ar: 'أولويات التنسيق بين الشركاء', en: 'Coordination priorities between partners' }, { speakers: ['tamimi'] }),
  coffee(3, '10:30', '11:00'),
  s(3, '11:00', '12:30', 'plenary', { ar: 'نحو خطة وطنية لإعادة الادماج والتعايش السلمي', en: 'Towards a national plan for reintegration and peaceful coexistence' }),
  s(3, '12:30', '13:30', 'plenary', { ar: 'الجلسة الختامية', en: 'Closing session' }, { speakers: ['lootsma'] }),
]

const FIRST = ['Ahmed', 'Fatima', 'Hassan', 'Zainab', 'Omar', 'Noor', 'Mustafa', 'Sara', 'Ali', 'Huda', 'Karim', 'Rana']
const LAST = ['Al-Jubouri', 'Al-Saadi', 'Hamid', 'Kareem', 'Al-Obaidi', 'Mahmoud']
/** Where the 36 invented participants come from, by sector. */
const EMPLOYERS = ['momd', 'momd', 'momd', 'molsa', 'molsa', 'onsa', 'onsa', 'pmo', 'goi', 'goi', 'goi', 'momd',
  'uob', 'uob', 'uob', 'uom', 'uom', 'uom',
  'cso-network', 'cso-network', 'cso-network', 'cso-women', 'cso-women', 'cso-women', 'cso-network',
  'undp', 'undp', 'undp', 'iom', 'iom', 'unicef', 'unicef', 'gcerf', 'gcerf', 'undp', 'iom']

/**
 * 36 invented participants. Every fifth does not come on day 3, every seventh misses day 1, two cancelled
 * and one never came: the published figures count exactly these check-ins.
 */
export const REGISTRATIONS: SeedRegistration[] = EMPLOYERS.map((organisation, i) => {
  const n = i + 1
  const cancelled = n === 17 || n === 30
  const absent = n === 36
  const days = cancelled || absent ? [] : DAYS.filter((_, d) => !(d === 2 && n % 5 === 0) && !(d === 0 && n % 7 === 0))
  return {
    name: `${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]}`,
    email: `participant${String(n).padStart(2, '0')}@example.org`,
    title: i % 3 === 0 ? 'Director' : i % 3 === 1 ? 'Programme specialist' : 'Researcher',
    organisation,
    status: cancelled ? 'cancelled' : 'confirmed',
    days,
  }
})

// The release: Arabic as printed; English from the facts of seed/README.md.
export const SUMMARY = {
  headline: {
    ar: 'برنامج الأمم المتحدة الإنمائي والحكومة العراقية يعقدان ورشة عمل حول التخطيط الاستراتيجي لإعادة الادماج في العراق',
    en: 'UNDP and the Government of Iraq hold a workshop on strategic planning for reintegration in Iraq',
  },
  dateline: { place: { ar: 'بغداد، العراق', en: 'Baghdad, Iraq' }, date: '2023-02-05' },
  lead: {
    ar: 'بالشراكة ما بين حكومة العراق وبرنامج الأمم المتحدة الإنمائي ، والصندوق العالمي لدعم المجتمعات المحلية ومساعدتها على الصمود، جمعت ورشة عمل مدتها ثلاثة أيام خبراء ومختصين في إعادة الإدماج بالإضافة إلى ممثلين عن الحكومة والأوساط الأكاديمية والمجتمع المدني ووكالات الأمم المتحدة لمناقشة مكونات ونهج سياسة إعادة الإدماج مع مراعاة الأطر الدولية وأفضل الممارسات.',
    en: 'In partnership between the Government of Iraq, the United Nations Development Programme (UNDP) and the Global Community Engagement and Resilience Fund (GCERF), a three-day workshop brought together experts and specialists in reintegration, as well as representatives of government, academia, civil society and UN agencies, to discuss the components and approaches of a reintegration policy, taking into account international frameworks and best practice.',
  },
  body: {
    ar: [
      'مكنت ورشة العمل في ايامها الثلاث المشاركين من تبادل أفضل الممارسات والتحديات الدولية، إضافةً الى مشاركة الخبرات في دعم إعادة الإدماج في السياق الحالي، مع التركيز على القضايا التي تتطلب نهجاً محدداً لإعادة الإدماج في العراق، بما في ذلك العائلات العراقية العائدة من مخيم الهول في سوريا.',
      'يشمل نهج برنامج الأمم المتحدة الإنمائي للاستقرار في العراق دعم الاستقرار في المناطق المحررة من خلال إعادة تأهيل البنية التحتية والخدمات، وخلق سبل العيش، وتعزيز قدرات الحكومة المحلية، والتماسك المجتمعي. يدعم برنامج الأمم المتحدة الإنمائي استعداد المجتمع لإعادة الادماج لآلاف العائلات العراقية النازحة داخلياً، بما في ذلك الأشخاص الذين وصموا بسبب ارتباط احد افراد عائلاتهم إلى تنظيم داعش، والذين غالباً ما يكونون من النساء والأطفال.',
      'تم إطلاق برنامج التماسك المجتمعي التابع لبرنامج الأمم المتحدة الإنمائي في العراق في كانون الثاني/يناير 2020 لتعزيز مجتمعات سلمية أقوى وأكثر تماسكاً في جميع مناطق العراق.',
    ].join('\n\n'),
    en: [
      'Over its three days the workshop let participants share international practice and challenges, and their experience of supporting reintegration in the current context, focusing on issues that need an Iraq-specific approach to reintegration, including Iraqi families returning from al-Hol camp in Syria.',
      "UNDP's approach to stabilisation in Iraq supports areas liberated from ISIL through the rehabilitation of infrastructure and services, the creation of livelihoods, building the capacity of local government, and social cohesion. UNDP supports community readiness for the reintegration of thousands of internally displaced Iraqi families, including people stigmatised through a relative's perceived affiliation with ISIL, who are often women and children.",
      "UNDP Iraq's Social Cohesion Programme was launched in January 2020 to foster stronger, more cohesive and peaceful communities across Iraq.",
    ].join('\n\n'),
  },
  outcomes: [
    { ar: 'الحاجة إلى خطة وطنية لإعادة الادماج والتعايش السلمي تعزز التنسيق بين الشركاء وتضمن التنفيذ الفعال للبرامج على أرض الواقع.', en: 'A national plan for reintegration and peaceful coexistence is needed to coordinate partners and implement programmes effectively on the ground.' },
    { ar: 'التركيز على قبول المجتمع لإعادة الادماج، إذ لا تزال العديد من الأسر موصومة خارج مجتمعاتها.', en: 'Community acceptance of reintegration must be a focus: many families are still stigmatised outside their communities.' },
    { ar: 'تأكيد الالتزام بالعودة وإعادة التأهيل النفسي والاستدامة وإعادة الإدماج، ومناقشة أولويات التنسيق بين الشركاء.', en: 'Commitment to return, psychological rehabilitation, sustainability and reintegration was confirmed, and coordination priorities between partners discussed.' },
    { ar: 'إشراك الحكومة والمجتمع في حل المشاكل في مناطق العودة، بما في ذلك إعادة التأهيل النفسي والاجتماعي.', en: 'Government and communities in areas of return must be involved in solving problems, including psychosocial rehabilitation.' },
  ],
  quotes: [
    {
      speaker: 'lootsma',
      text: {
        ar: 'إن إعادة الإدماج هي أولوية في العراق، وتلعب دوراً حيوياً في تعزيز النسيج الاجتماعي للمجتمعات. إن جمع الجهات الفاعلة الرئيسية، ممن يركزون على إعادة الادماج، في منتدى واحد أمر أساسي لضمان النهوض بعملية إعادة ادماج مجتمعية مستدامة وفعالة، مدعومة برؤية وطنية لضمان عدم تخلف أحد عن الركب في العراق.',
        en: 'Reintegration is a priority for Iraq and plays a vital role in strengthening the social fabric of communities. Bringing the key actors focused on reintegration together in one forum is essential for sustainable, effective, community-based reintegration, backed by a national vision, so that no one in Iraq is left behind.',
      },
    },
    {
      speaker: 'obaid',
      text: {
        ar: 'أنه من الضروري أن نركز على قبول المجتمع لإعادة الادماج، حيث لا تزال العديد من الأسر موصومة بالعار خارج مجتمعاتهم.',
        en: 'It is essential that we focus on community acceptance of reintegration, as many families are still stigmatised outside their communities.',
      },
    },
    {
      speaker: 'tamimi',
      text: {
        ar: 'كانت هذه فرصة مهمة للجمع بين الجهات الفاعلة في إعادة الإدماج وتأكيد الالتزام بعملية العودة وإعادة التأهيل النفسي والاستدامة وإعادة الإدماج، فضلاً عن مناقشة أولويات التنسيق بين الشركاء.',
        en: 'This was an important opportunity to bring reintegration actors together and confirm our commitment to return, psychological rehabilitation, sustainability and reintegration, and to discuss coordination priorities between partners.',
      },
    },
    {
      speaker: 'jahangir',
      text: {
        ar: 'لقد ناقشنا الحلول والآليات الخاصة بتنفيذها، وأهمية إشراك الحكومة والمجتمع في حل المشاكل في مناطق العودة، بما في ذلك المساعدة في إعادة التأهيل النفسي والاجتماعي.',
        en: 'We discussed solutions and the mechanisms to implement them, and the importance of involving government and communities in solving problems in areas of return, including help with psychosocial rehabilitation.',
      },
    },
  ],
  contacts: [
    { name: 'Miriam Pineau', title: { ar: 'مسؤولة اعلام وتواصل', en: 'Communications and Outreach Officer' }, email: 'miriam.pineau@undp.org', phone: '+964790110 1982' },
  ],
}
