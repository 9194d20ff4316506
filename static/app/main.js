// The ELSOM app: boots the UI language, registers the service worker (scope /app/) and routes #/... to screens.
import { configure, token } from "./api.js";
import { h, mount } from "./dom.js";
import { language, loadLanguage, preferredLanguage, t } from "./i18n.js";
import * as screens from "./screens.js";

const body = document.body;
const config = {
  api: body.dataset.api,
  catalogues: body.dataset.catalogues,
  offer: body.dataset.offer,
  simulator: body.dataset.simulator,
  callCentre: body.dataset.callCentre,
};
configure(config.api);

const PUBLIC = { "sign-in": screens.signIn, code: screens.code, "pin-forgot": screens.pinForgot };
const PRIVATE = {
  home: screens.home,
  services: screens.services,
  pay: screens.pay,
  repeat: screens.repeat,
  check: screens.check,
  done: screens.done,
  receipt: screens.receipt,
  history: screens.history,
  favourites: screens.favourites,
  devices: screens.devices,
  pin: screens.pin,
};
const NAV = [
  ["home", "#/home", () => t("Главная")],
  ["services", "#/services", () => t("Платежи")],
  ["history", "#/history", () => t("История")],
  ["favourites", "#/favourites", () => t("Избранное")],
  ["devices", "#/devices", () => t("Устройства")],  // the same name as its tile and its screen
];
const SECTION_OF = { pin: "home", pay: "services", check: "services", done: "services", repeat: "favourites", receipt: "history" };

const root = document.getElementById("app");
let timers = [];
let notice = "";
let generation = 0;

const ctx = {
  root,
  config,
  go(hash, message = "") {
    notice = message;
    if (window.location.hash === hash) render();
    else window.location.hash = hash;
  },
  refresh: () => render(),
  every(ms, callback) {
    timers.push(window.setInterval(callback, ms));
  },
};

function route() {
  const [name = "", ...params] = window.location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  return { name, params };
}

function renderNav(current) {
  const nav = document.getElementById("app-nav");
  nav.hidden = !token.get();
  nav.setAttribute("aria-label", t("Разделы приложения"));
  mount(nav, NAV.map(([name, href, label]) => h("a", { href, "aria-current": name === current ? "page" : false, text: label() })));
}

async function render() {
  timers.forEach((timer) => window.clearInterval(timer));
  timers = [];
  const { name, params } = route();
  const message = notice;
  notice = "";
  let screen = PUBLIC[name] || PRIVATE[name];
  if (!screen || (PRIVATE[name] && !token.get())) {
    screen = null;
    window.location.replace(token.get() ? "#/home" : "#/sign-in");
    return;
  }
  if (PUBLIC[name] && token.get() && name === "sign-in" && !message) {
    window.location.replace("#/home");
    return;
  }
  renderNav(SECTION_OF[name] || name);
  // Each route draws into a container of its own, put on the page at its first draw and only while it is still
  // the current route: a slow answer for a screen the holder already left (a language switch re-rendering the
  // receipt, then a tap on «Главная») must not draw over the newer screen, nor start its polling.
  const mine = ++generation;
  const current = () => mine === generation;
  const view = document.createElement("div");
  const show = () => {
    if (current() && view.parentNode !== root) root.replaceChildren(view);
  };
  new MutationObserver(show).observe(view, { childList: true });
  const screenCtx = {
    ...ctx,
    root: view,
    every(ms, callback) {
      if (current()) ctx.every(ms, callback);
    },
  };
  await screen(screenCtx, params, message);
  if (!current()) return;
  show();
  window.scrollTo(0, 0);
}

function renderLanguages() {
  for (const button of document.querySelectorAll("[data-language]")) {
    const active = button.dataset.language === language();
    button.classList.toggle("btn-light", active);
    button.classList.toggle("btn-outline-light", !active);
    button.setAttribute("aria-pressed", active ? "true" : "false");
  }
}

function showConnection() {
  const banner = document.getElementById("app-offline");
  banner.hidden = navigator.onLine;
  banner.textContent = t("Нет соединения с интернетом. Платежи и баланс появятся, когда связь вернется.");
}

async function boot() {
  try {
    await loadLanguage(preferredLanguage(), config.catalogues);
  } catch (error) {
    // no catalogue at all (first visit offline): the Russian msgids are the texts
  }
  renderLanguages();
  for (const button of document.querySelectorAll("[data-language]")) {
    button.addEventListener("click", async () => {
      try {
        await loadLanguage(button.dataset.language, config.catalogues);
      } catch (error) {
        return;
      }
      renderLanguages();
      showConnection();
      render();
    });
  }
  window.addEventListener("hashchange", render);
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  showConnection();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: body.dataset.scope }).catch(() => {});
  }
  body.dataset.ready = "true";
  await render();
}

boot();
