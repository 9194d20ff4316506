// The UI strings come from Django (/app/i18n/<language>.json, built from the same locale/*.po as the pages;
// msgids are Russian, so a missing translation still reads as Russian).

export const LANGUAGES = ["ru", "ky", "en"];
const STORAGE_KEY = "elsom.language";
let messages = {};
let current = "ru";

export function language() {
  return current;
}

export function preferredLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (LANGUAGES.includes(stored)) return stored;
  // As on the website: Russian unless the phone prefers Kyrgyz (before Russian); English only when chosen.
  for (const tag of navigator.languages || [navigator.language || "ru"]) {
    const code = String(tag).slice(0, 2).toLowerCase();
    if (code === "ky" || code === "ru") return code;
  }
  return "ru";
}

export async function loadLanguage(code, cataloguesUrl) {
  const chosen = LANGUAGES.includes(code) ? code : "ru";
  const url = cataloguesUrl.replace(/[a-z]{2}\.json$/, `${chosen}.json`);
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`catalogue ${chosen}: ${response.status}`);
  messages = (await response.json()).messages || {};
  current = chosen;
  localStorage.setItem(STORAGE_KEY, chosen);
  document.documentElement.lang = chosen;
}

// t(msgid, {left: 2}) fills %(left)s, as Django's %-interpolation of a translated string.
export function t(msgid, params) {
  const text = messages[msgid] || msgid;
  if (!params) return text;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
