/**
 * The language machinery every entry shares (the staff app, the public join
 * pages): Chinese first, English switchable. The UI is written in Chinese;
 * `t()` looks the Chinese text up in the entry's English dictionary and falls
 * back to the Chinese. The API answers "中文 / English": `pick()` keeps one
 * half. Each entry has its own dictionary (createI18n), so the public pages
 * do not carry the staff app's.
 */
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'zh' | 'en';

const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

/**
 * One half of an API message "中文 / English" (or the whole message when it
 * has no English half). The Chinese half may itself quote bilingual labels
 * ("当前阶段为“调查摸底 / survey”，… / the campaign is in …"): the English
 * half is the last " / " tail without Chinese, and the quoted labels'
 * English is dropped from the Chinese half.
 */
export function pick(message: string, lang: Lang): string {
  // An added signer's step names the signers in its English half only.
  const signer = /^加签 \/ added signer: (.+)$/.exec(message);
  if (signer) return lang === 'zh' ? `加签：${signer[1]}` : `Added signer: ${signer[1]}`;
  // "a / b", also "a）/ b" after full-width punctuation.
  // The slash and the spaces after it are found by the regex; the spaces before it by a backward walk,
  // so that no pattern starts at every space of a long run (linear in the message).
  const cuts = [...message.matchAll(/\/\s+/g)].map((x) => ({ at: spacesBefore(message, x.index), end: x.index + x[0].length }));
  if (!cuts.length) return message;
  const cut = [...cuts].reverse().find((c) => !CJK.test(message.slice(c.end))) ?? cuts[0]!;
  if (lang === 'en') return message.slice(cut.end).trim();
  return dropEnglishRuns(message.slice(0, cut.at)).trim();
}

/** Index where the run of white space ending at `end` starts. */
function spacesBefore(s: string, end: number): number {
  let i = end;
  while (i > 0 && /\s/.test(s.charAt(i - 1))) i--;
  return i;
}

/**
 * Removes each inner " / English" half: a slash, white space, then printable ASCII up
 * to the next non-ASCII character or the end (the white space before the slash too).
 */
function dropEnglishRuns(s: string): string {
  let out = '';
  let from = 0;
  for (const m of s.matchAll(/\/\s+/g)) {
    if (m.index < from) continue;
    let end = m.index + m[0].length;
    const asciiStart = end;
    while (end < s.length && s.charCodeAt(end) >= 0x20 && s.charCodeAt(end) <= 0x7e) end++;
    const reachesText = end === s.length || s.charCodeAt(end) > 0x7f;
    if (end === asciiStart || !reachesText) continue;
    out += s.slice(from, spacesBefore(s, m.index));
    from = end;
  }
  return out + s.slice(from);
}

export interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  /** The English of a Chinese UI text when English is chosen; `{name}` placeholders are filled from `vars`. */
  t(zh: string, vars?: Record<string, string | number>): string;
  /** Picks the language's half of a bilingual API message. */
  m(message: string | null | undefined): string;
}

/** A language provider and hook over one English dictionary (the language chosen is kept in localStorage, shared by the entries). */
export function createI18n(EN: Record<string, string>) {
  const Ctx = createContext<I18n | null>(null);

  function LangProvider({ children }: { children: ReactNode }) {
    const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('ud.lang') === 'en' ? 'en' : 'zh'));
    const value = useMemo<I18n>(() => {
      const fill = (s: string, vars?: Record<string, string | number>) => (vars ? s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? '')) : s);
      return {
        lang,
        setLang(l) {
          localStorage.setItem('ud.lang', l);
          document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
          setLangState(l);
        },
        t: (zh, vars) => fill(lang === 'en' ? (EN[zh] ?? zh) : zh, vars),
        m: (message) => (message ? pick(message, lang) : ''),
      };
    }, [lang]);
    return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
  }

  function useI18n(): I18n {
    const v = useContext(Ctx);
    if (!v) throw new Error('useI18n outside LangProvider');
    return v;
  }

  return { LangProvider, useI18n };
}
