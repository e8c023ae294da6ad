import { ConfigProvider } from 'antd';
import antdEn from 'antd/locale/en_US';
import antdZh from 'antd/locale/zh_CN';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en } from './en';
import { zhCN, type MessageKey } from './zh-CN';

export type { MessageKey };
export type Lang = 'zh-CN' | 'en';
export const LANGS: { value: Lang; label: string }[] = [
  { value: 'zh-CN', label: '中文' },
  { value: 'en', label: 'English' },
];
const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const ANTD_LOCALES = { 'zh-CN': antdZh, en: antdEn };
const STORAGE_KEY = 'govcloud.lang';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** Whether the dictionaries have `key`: for values from an open set, named where the console knows them. */
export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(zhCN, key);

/** The dictionaries' text for `key`, or `code` itself where they do not have it. */
const labelOr = (t: Translate, key: string, code: string) => (isMessageKey(key) ? t(key) : code);

/**
 * A storage tier in the console's language. Tiers are an open set (a rate card may price any name), so
 * a tier the dictionaries do not name is shown as it is.
 */
export function storageTierLabel(t: Translate, tier: string): string {
  return labelOr(t, `storageTier.${tier}`, tier);
}

/** The kind of thing an audit entry is about ('pool'), or the code itself where the dictionaries do not name it. */
export function auditSubjectLabel(t: Translate, subject: string): string {
  return labelOr(t, `auditSubject.${subject}`, subject);
}

/**
 * An audit action ('pool.create', 'resource.running': subject, then what was done or the state it came
 * to) in the console's language, or the code itself where the dictionaries do not name both parts.
 */
export function auditActionLabel(t: Translate, action: string): string {
  const dot = action.indexOf('.');
  const subjectKey = `auditSubject.${action.slice(0, dot)}`;
  if (dot < 0 || !isMessageKey(subjectKey)) return action;
  const target = t(subjectKey);
  const done = action.slice(dot + 1);
  const stateKey = `resource.state.${done}`;
  if (action.startsWith('resource.') && isMessageKey(stateKey))
    return t('auditAction.state', { target, state: t(stateKey) });
  const doneKey = `auditAction.${done}`;
  return isMessageKey(doneKey) ? t(doneKey, { target }) : action;
}

/** A message with its {placeholders} filled in. */
export function translate(lang: Lang, key: MessageKey, values?: Record<string, string | number>): string {
  const text = DICTIONARIES[lang][key];
  return values ? text.replace(/\{(\w+)\}/g, (all, name: string) => String(values[name] ?? all)) : text;
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
  /** A date and time as the console's language writes it (the browser's own locale may be another); '—' for none. */
  time(at: string | Date | null): string;
}

const I18nContext = createContext<I18n | null>(null);

/** The language chosen in this browser (Chinese unless English was picked). */
export function storedLang(): Lang {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored === 'en' ? 'en' : 'zh-CN';
}

/** Chinese by default; the choice is remembered in the browser. Also sets antd's own locale. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, values) => translate(lang, key, values),
      time: (at) => (at === null ? '—' : new Date(at).toLocaleString(lang)),
    }),
    [lang, setLang],
  );
  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={ANTD_LOCALES[lang]}>{children}</ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
