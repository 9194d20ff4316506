// The app's screens. Each one renders into ctx.root from what the API answers; none of them decides about money
// (funds, PIN, limits are the server's): they show what the server said, in the holder's language.
import { api, ApiError, NetworkError, token } from "./api.js";
import { h, money, mount, when } from "./dom.js";
import { language, t } from "./i18n.js";

const CHALLENGE_KEY = "elsom.challenge";
const PENDING_KEY = "elsom.pending";
const PREFILL_KEY = "elsom.prefill"; // «Повторить» on a receipt: the account to pay again
const POLL_MS = 3000;

const stored = {
  get: (key) => JSON.parse(sessionStorage.getItem(key) || "null"),
  set: (key, value) => sessionStorage.setItem(key, JSON.stringify(value)),
  clear: (key) => sessionStorage.removeItem(key),
};

// --- small pieces ---------------------------------------------------------------------------------------------

function title(text) {
  return h("h1", { class: "app-title", text });
}

function alertBox(kind = "danger") {
  return h("div", { class: `alert alert-${kind}`, role: "alert", hidden: true });
}

function say(box, text) {
  box.textContent = text;
  box.hidden = !text;
}

function field(label, input, hint) {
  input.id = input.id || `f-${Math.random().toString(36).slice(2, 8)}`;
  input.classList.add("form-control", "form-control-lg");
  return h("div", { class: "mb-3" },
    h("label", { class: "form-label", for: input.id, text: label }),
    input,
    hint ? h("div", { class: "form-text", text: hint }) : null);
}

function rows(pairs) {
  return h("dl", { class: "app-receipt" },
    pairs.filter(([, value]) => value !== "" && value !== null && value !== undefined)
      .flatMap(([label, value, testid]) => [h("dt", { text: label }), h("dd", { text: value, dataset: testid ? { testid } : {} })]));
}

function som(amount) {
  return t("%(amount)s сом", { amount: money(amount) });
}

function national(e164) {
  // +996555123456 -> 0555 12 34 56
  const digits = String(e164 || "").replace(/^\+996/, "");
  // As the website and the SMS write it: 0555 01 01 01.
  return digits.length === 9 ? `0${digits.slice(0, 3)} ${digits.slice(3, 5)} ${digits.slice(5, 7)} ${digits.slice(7)}` : e164;
}

function phoneInput() {
  // The wallet's number, as the holder writes it (sign-in and the forgotten PIN).
  return h("input", { type: "tel", name: "phone", autocomplete: "tel", inputmode: "tel", placeholder: "0555 12 34 56", maxlength: 40, required: true });
}

function deviceName() {
  const agent = navigator.userAgent || "";
  const system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS" : /Windows/.test(agent) ? "Windows"
    : /Mac OS/.test(agent) ? "macOS" : /Linux/.test(agent) ? "Linux" : "";
  const browser = /Edg\//.test(agent) ? "Edge" : /Chrome\//.test(agent) ? "Chrome" : /Firefox\//.test(agent) ? "Firefox"
    : /Safari\//.test(agent) ? "Safari" : "";
  return [t("Приложение ЭЛСОМ"), system, browser].filter(Boolean).join(" · ").slice(0, 60);
}

function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// An error the screen shows; a revoked or expired token sends the holder to sign in again.
function failed(ctx, box, error) {
  if (error instanceof ApiError && error.status === 401) {
    token.clear();
    ctx.go("#/sign-in", error.message);
    return;
  }
  if (error instanceof ApiError && error.code === "invalid_request" && Array.isArray(error.params.fields)) {
    // The API names the fields it could not take (422): mark them, and name them as the form labels them.
    const labels = markFields(ctx.root, error.params.fields);
    say(box, labels.length ? t("Проверьте поля: %(fields)s.", { fields: labels.join(", ") }) : error.message);
    return;
  }
  if (error instanceof ApiError || error instanceof NetworkError) say(box, error.message);
  else throw error;
}

function markFields(root, names) {
  const labels = [];
  for (const input of root.querySelectorAll("input, select, textarea")) {
    const bad = names.includes(input.name);
    input.classList.toggle("is-invalid", bad);
    input.setAttribute("aria-invalid", bad ? "true" : "false");
    if (bad) labels.push(((input.labels && input.labels[0] && input.labels[0].textContent) || input.name).trim());
  }
  return labels;
}

function busy(button, on) {
  button.disabled = on;
  button.setAttribute("aria-busy", on ? "true" : "false");
}

// A screen that needs data first: shows a retry button when the network is gone.
async function load(ctx, loader) {
  const box = alertBox();
  try {
    return await loader();
  } catch (error) {
    mount(ctx.root, box, h("button", { class: "btn btn-outline-primary", type: "button", text: t("Повторить"), on: { click: () => ctx.refresh() } }));
    failed(ctx, box, error);
    return null;
  }
}

let catalogCache = null;
let catalogLanguage = null;

async function catalog() {
  if (!catalogCache || catalogLanguage !== language()) {
    catalogCache = (await api.get("catalog")).categories;
    catalogLanguage = language();
  }
  return catalogCache;
}

function findCategory(categories, id) {
  for (const category of categories) {
    if (category.id === id) return category;
    const found = findCategory(category.children, id);
    if (found) return found;
  }
  return null;
}

function findService(categories, id) {
  for (const category of categories) {
    const found = category.services.find((service) => service.id === id) || findService(category.children, id);
    if (found) return found;
  }
  return null;
}

// --- sign-in and opening a wallet -------------------------------------------------------------------------------

export function signIn(ctx, _params, notice) {
  const box = alertBox();
  const phone = phoneInput();
  const submit = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit", text: t("Получить код") });
  const form = h("form", { novalidate: true, on: { submit: async (event) => {
    event.preventDefault();
    busy(submit, true);
    try {
      const challenge = await api.post("auth/code", { phone: phone.value });
      stored.set(CHALLENGE_KEY, { ...challenge, sent_at: Date.now() });
      ctx.go("#/code");
    } catch (error) {
      failed(ctx, box, error);
    } finally {
      busy(submit, false);
    }
  } } }, box, field(t("Номер телефона"), phone), submit);
  const info = notice ? h("div", { class: "alert alert-info", role: "status", text: notice }) : null;
  mount(ctx.root, title(t("Вход в ЭЛСОМ")), info, h("p", { class: "text-muted", text: t("Для номеров Megacom, Beeline и O!. Код для входа придет в SMS.") }), form,
    h("p", { class: "mt-3" }, h("a", { href: "#/pin-forgot", dataset: { testid: "pin-forgot" }, text: t("Забыли PIN?") })));
  phone.focus();
}

// The code first, for every number: /auth/code answers alike whether the number has a wallet or not, and only
// /auth/token after a right code says «no wallet» (404 wallet_not_found). Then the same screen asks for the name,
// INN and the offer, keeps the code typed (it stays usable) and opens the wallet with it (POST /wallets).
// «Отправить код еще раз» and its countdown, for a code challenge kept under `key`: the same on the sign-in code
// screen and the forgotten-PIN one.
function resendControl(ctx, box, challenge, path, key) {
  const resend = h("button", { class: "btn btn-link px-0", type: "button", text: t("Отправить код еще раз") });
  const wait = h("p", { class: "text-muted small mb-0" });
  const tick = () => {
    const left = Math.ceil((challenge.sent_at + challenge.resend_after * 1000 - Date.now()) / 1000);
    resend.hidden = left > 0;
    wait.hidden = left <= 0;
    wait.textContent = t("Новый код можно запросить через %(seconds)s с.", { seconds: left });
  };
  tick();
  ctx.every(1000, tick);
  resend.addEventListener("click", async () => {
    busy(resend, true);
    try {
      Object.assign(challenge, await api.post(path, { challenge: challenge.challenge }), { sent_at: Date.now() });
      stored.set(key, challenge);
      say(box, "");
      tick();
    } catch (error) {
      failed(ctx, box, error);
    } finally {
      busy(resend, false);
    }
  });
  return { resend, wait };
}

export function code(ctx) {
  const challenge = stored.get(CHALLENGE_KEY);
  if (!challenge) return ctx.go("#/sign-in");
  const box = alertBox();
  const sentBox = h("div", { class: "alert alert-info", role: "status", text: t("Код отправлен в SMS на номер %(phone)s.", { phone: national(challenge.phone) }) });
  const heading = title("");
  const codeInput = h("input", { name: "code", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, required: true });
  const fullName = h("input", { name: "full_name", autocomplete: "name", maxlength: 200 });
  const inn = h("input", { name: "inn", inputmode: "numeric", maxlength: 40, autocomplete: "off" });
  const offer = h("input", { type: "checkbox", class: "form-check-input", id: "offer", name: "offer" });
  const submit = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit" });
  const opening = h("div", { hidden: true, dataset: { testid: "opening" } },
    h("p", { class: "fw-semibold", text: t("Кошелька ЭЛСОМ с этим номером еще нет: откройте его.") }),
    field(t("Имя и фамилия"), fullName),
    field(t("Личный ИНН"), inn, t("14 цифр, как в вашей ID-карте.")),
    h("div", { class: "form-check mb-3" }, offer,
      h("label", { class: "form-check-label", for: "offer" }, t("Я соглашаюсь с условиями"), " ",
        h("a", { href: ctx.config.offer, target: "_blank", rel: "noopener", text: t("публичной оферты") }))));
  // Known only after a right code; kept with the challenge, so that a re-render (a language switch) keeps the form.
  const showOpening = (on) => {
    challenge.opening = on;
    stored.set(CHALLENGE_KEY, challenge);
    opening.hidden = !on;
    heading.textContent = on ? t("Открытие кошелька") : t("Подтвердите номер");
    submit.textContent = on ? t("Открыть кошелек") : t("Войти");
  };
  showOpening(Boolean(challenge.opening));
  const { resend, wait } = resendControl(ctx, box, challenge, "auth/code/resend", CHALLENGE_KEY);
  const form = h("form", { novalidate: true, on: { submit: async (event) => {
    event.preventDefault();
    busy(submit, true);
    const proof = { challenge: challenge.challenge, code: codeInput.value.replace(/\s/g, ""), device_name: deviceName() };
    const opened = challenge.opening;
    try {
      const signedIn = opened
        ? await api.post("wallets", { ...proof, full_name: fullName.value, inn: inn.value, offer_accepted: offer.checked, language: language() })
        : await api.post("auth/token", proof);
      token.set(signedIn.token);
      stored.clear(CHALLENGE_KEY);
      ctx.go("#/home", opened ? t("Кошелек открыт. PIN для оплаты придет в SMS.") : "");
    } catch (error) {
      const refused = error instanceof ApiError ? error.code : "";
      if (!opened && refused === "wallet_not_found") {
        say(box, "");
        showOpening(true);
        fullName.focus();
      } else {
        // Opened meanwhile (another channel): the code is still usable, «Войти» signs in with it.
        if (opened && refused === "wallet_exists") showOpening(false);
        failed(ctx, box, error);
      }
    } finally {
      busy(submit, false);
    }
  } } },
  box,
  field(t("Код из SMS"), codeInput),
  opening,
  submit);
  const simulator = ctx.config.simulator
    ? h("p", { class: "small" }, h("a", { href: `${ctx.config.simulator}?phone=0${challenge.phone.slice(4)}`, target: "_blank", rel: "noopener", dataset: { testid: "simulator-link" }, text: t("Демо: SMS придет во входящие виртуального телефона") }))
    : null;
  mount(ctx.root, heading, sentBox, simulator, form, h("div", { class: "mt-2" }, resend, wait),
    h("p", { class: "mt-3" }, h("a", { href: "#/sign-in", text: t("Другой номер") })));
  codeInput.focus();
}

// --- home and the catalog -----------------------------------------------------------------------------------------

export async function home(ctx, _params, notice) {
  const profile = await load(ctx, () => api.get("me"));
  if (!profile) return;
  const tiles = [
    ["#/services", t("Другие услуги")],
    ["#/favourites", t("Избранное")],
    ["#/history", t("История")],
    ["#/devices", t("Устройства")],
    ["#/pin", t("PIN")],
  ];
  mount(ctx.root,
    notice ? h("div", { class: "alert alert-success", role: "status", text: notice }) : null,
    h("section", { class: "app-card", "aria-label": t("Кошелек") },
      h("div", { class: "app-card-name", text: `${profile.first_name} ${profile.last_name}` }),
      h("div", { class: "app-card-number", text: profile.phone_display }),
      h("div", { class: "app-card-balance" }, h("span", { class: "label", text: t("Баланс") }), " ",
        h("span", { dataset: { testid: "balance" }, text: money(profile.balance) }), " ", t("сом"))),
    profile.pin_locked ? h("div", { class: "alert alert-warning mt-3", role: "alert", text: t("PIN заблокирован после 3 неверных вводов. Обратитесь в call-центр ЭЛСОМ: %(phone)s.", { phone: ctx.config.callCentre }) }) : null,
    h("nav", { class: "app-tiles", "aria-label": t("Разделы") },
      tiles.map(([href, text]) => h("a", { class: "app-tile", href, text }))));
}

export async function services(ctx, params) {
  const categories = await load(ctx, catalog);
  if (!categories) return;
  const id = params[0] ? Number(params[0]) : null;
  const category = id ? findCategory(categories, id) : null;
  if (id && !category) return ctx.go("#/services");
  const children = category ? category.children : categories;
  const list = h("div", { class: "list-group app-list" },
    children.map((child) => h("a", { class: "list-group-item list-group-item-action", href: `#/services/${child.id}`, text: child.name })),
    (category ? category.services : []).map((service) => h("a", { class: "list-group-item list-group-item-action", href: `#/pay/${service.id}`, text: service.name })));
  const back = h("a", { class: "app-back", href: category ? "#/services" : "#/home", text: t("Назад") });
  mount(ctx.root, back, title(category ? category.name : t("Другие услуги")), list);
}

// --- paying -------------------------------------------------------------------------------------------------------

function amountHint(service) {
  const parts = [t("От %(min)s до %(max)s сом.", { min: money(service.min_amount), max: money(service.max_amount) })];
  if (Number(service.commission_fixed) || Number(service.commission_percent)) {
    parts.push(t("Комиссия: %(fixed)s сом + %(percent)s%%.", { fixed: money(service.commission_fixed), percent: service.commission_percent }).replace("%%", "%"));
  } else {
    parts.push(t("Без комиссии."));
  }
  return parts.join(" ");
}

async function quoteAndCheck(ctx, box, button, { service, account, amount, favourite }) {
  busy(button, true);
  try {
    const quote = await api.post("payments/quote", { service_id: service.id, account, amount });
    const favouriteId = favourite ? favourite.id : null;
    // «Назад» and «Далее» with the same data keep the key: if the answer to an earlier «Оплатить» was lost, that
    // payment may exist, and the same key makes the server answer with it instead of paying twice.
    const earlier = stored.get(PENDING_KEY);
    const same = earlier && earlier.key && earlier.favourite_id === favouriteId && earlier.quote.service_id === quote.service_id
      && earlier.quote.account === quote.account && earlier.quote.amount === quote.amount;
    stored.set(PENDING_KEY, {
      quote, account_label: service.account_label, favourite_id: favouriteId, key: same ? earlier.key : null,
      back: favourite ? `#/repeat/${favourite.id}` : `#/pay/${service.id}`,
    });
    ctx.go("#/check");
  } catch (error) {
    failed(ctx, box, error);
  } finally {
    busy(button, false);
  }
}

export async function pay(ctx, params) {
  const categories = await load(ctx, catalog);
  if (!categories) return;
  const service = findService(categories, Number(params[0]));
  if (!service) return ctx.go("#/services");
  const pending = stored.get(PENDING_KEY);
  const prefill = stored.get(PREFILL_KEY);
  stored.clear(PREFILL_KEY);
  let previous = {};
  if (pending && pending.quote.service_id === service.id && !pending.favourite_id) previous = pending.quote;
  else if (prefill && prefill.service_id === service.id) previous = prefill;
  const box = alertBox();
  const numeric = ["inn_company", "payer_inn", "digits", "mobile_phone"].includes(service.account_rule);
  const account = h("input", { name: "account", inputmode: numeric ? "numeric" : "text", maxlength: 100, autocomplete: "off", value: previous.account || "" });
  const amount = h("input", { name: "amount", inputmode: "decimal", maxlength: 40, autocomplete: "off", value: previous.amount || "" });
  const next = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit", text: t("Далее") });
  const form = h("form", { novalidate: true, on: { submit: (event) => {
    event.preventDefault();
    quoteAndCheck(ctx, box, next, { service, account: account.value, amount: amount.value });
  } } }, box, field(service.account_label, account), field(t("Сумма"), amount, amountHint(service)), next);
  mount(ctx.root, h("a", { class: "app-back", href: "#/services", text: t("Назад") }), title(service.name), form);
}

export async function repeat(ctx, params) {
  const data = await load(ctx, async () => [await api.get("favourites"), await catalog()]);
  if (!data) return;
  const [favourites, categories] = data;
  const favourite = favourites.items.find((item) => item.id === Number(params[0]));
  const service = favourite && findService(categories, favourite.service_id);
  if (!favourite || !service) return ctx.go("#/favourites");
  const box = alertBox();
  const amount = h("input", { name: "amount", inputmode: "decimal", maxlength: 40, autocomplete: "off" });
  const next = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit", text: t("Далее") });
  const form = h("form", { novalidate: true, on: { submit: (event) => {
    event.preventDefault();
    quoteAndCheck(ctx, box, next, { service, account: favourite.account, amount: amount.value, favourite });
  } } }, box, rows([[t("Услуга"), favourite.service_name], [service.account_label, favourite.account]]),
  field(t("Сумма"), amount, amountHint(service)), next);
  mount(ctx.root, h("a", { class: "app-back", href: "#/favourites", text: t("Назад") }), title(favourite.name), form);
  amount.focus();
}

export function check(ctx) {
  const pending = stored.get(PENDING_KEY);
  if (!pending) return ctx.go("#/services");
  const { quote } = pending;
  const box = alertBox();
  const pin = h("input", { type: "password", name: "pin", inputmode: "numeric", maxlength: 4, autocomplete: "off", required: true });
  const submit = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit", text: t("Оплатить") });
  const form = h("form", { novalidate: true, on: { submit: async (event) => {
    event.preventDefault();
    // One key per confirmed payment, kept until it is settled: a retry after a lost answer (or a double tap)
    // sends the same key, so the server pays once and answers with that payment.
    if (!pending.key) {
      pending.key = idempotencyKey();
      stored.set(PENDING_KEY, pending);
    }
    busy(submit, true);
    const headers = { "Idempotency-Key": pending.key };
    try {
      const payment = pending.favourite_id
        ? await api.post(`favourites/${pending.favourite_id}/pay`, { amount: quote.amount, pin: pin.value }, headers)
        : await api.post("payments", { service_id: quote.service_id, account: quote.account, amount: quote.amount, pin: pin.value }, headers);
      stored.clear(PENDING_KEY);
      ctx.go(`#/done/${payment.code}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === "idempotency_conflict") {
        pending.key = null; // the data changed since that key was used: the next confirmation is a new payment
        stored.set(PENDING_KEY, pending);
      }
      pin.value = "";
      failed(ctx, box, error);
    } finally {
      busy(submit, false);
    }
  } } },
  box,
  rows([
    [t("Услуга"), quote.service_name],
    [t("Получатель"), quote.account_holder, "account-holder"],
    [pending.account_label, quote.account, "account"],
    [t("Сумма"), som(quote.amount), "amount"],
    [t("Комиссия"), som(quote.commission), "commission"],
    [t("Итого к оплате"), som(quote.total), "total"],
  ]),
  field(t("PIN"), pin, t("4 цифры. PIN пришел в SMS при открытии кошелька.")),
  submit,
  h("a", { class: "btn btn-outline-secondary w-100 mt-2", href: pending.back, text: t("Назад") }));
  mount(ctx.root, title(t("Проверьте платеж")), form);
  pin.focus();
}

// --- a payment: done, receipt, in progress ------------------------------------------------------------------------

function heading(status) {
  switch (status) {
    case "committed": return t("Оплата прошла успешно");
    case "in_progress": return t("Платеж в обработке");
    case "aborted": return t("Платеж отменен");
    case "reversed": return t("Платеж возвращен");
    default: return t("Платеж");
  }
}

function favouriteForm(ctx, payment) {
  const box = alertBox();
  const name = h("input", { name: "name", maxlength: 200, value: payment.account_holder || payment.service_name });
  const save = h("button", { class: "btn btn-outline-primary w-100", type: "submit", text: t("Сохранить") });
  const form = h("form", { class: "mt-3", hidden: true, novalidate: true, on: { submit: async (event) => {
    event.preventDefault();
    busy(save, true);
    try {
      await api.post("favourites", { name: name.value, service_id: payment.service_id, account: payment.account });
      mount(form, h("div", { class: "alert alert-success", role: "status", text: t("Добавлено в избранное.") }));
    } catch (error) {
      failed(ctx, box, error);
    } finally {
      busy(save, false);
    }
  } } }, box, field(t("Название"), name), save);
  const open = h("button", { class: "btn btn-outline-primary w-100 mt-3", type: "button", text: t("Добавить в избранное"),
    on: { click: () => { form.hidden = false; open.hidden = true; name.focus(); } } });
  return [open, form];
}

function paymentView(ctx, payment, { receipt, accountLabel }) {
  // The done screen's title already says how it went: the box says it only on the receipt, whose title is «Квитанция».
  const said = receipt ? [h("strong", { text: heading(payment.status) }), h("br")] : [];
  const status = h("div", { class: `alert alert-${{ committed: "success", in_progress: "warning" }[payment.status] || "secondary"}`, role: "status", dataset: { testid: "payment-status" } },
    ...said, payment.message);
  const details = rows([
    [t("Код платежа"), payment.code, "payment-code"],
    [t("Дата"), when(payment.created_at, language())],
    [t("Услуга"), payment.service_name],
    [t("Получатель"), payment.account_holder],
    [accountLabel, payment.account, "account"],
    [t("Сумма"), som(payment.amount)],
    [t("Комиссия"), som(payment.commission)],
    [t("Итого"), som(payment.total), "total"],
    [t("Статус"), payment.status_label],
  ]);
  const again = h("button", { class: "btn btn-primary w-100 mt-3", type: "button", text: t("Повторить"), on: { click: () => {
    stored.clear(PENDING_KEY);
    stored.set(PREFILL_KEY, { service_id: payment.service_id, account: payment.account });
    ctx.go(`#/pay/${payment.service_id}`);
  } } });
  // Who to call about this payment, as on the website's done page and receipt: ELSOM, and the provider (DosTek
  // group's call-centre is where «the СОЧИ balance did not change» ends up).
  const centres = [`${t("call-центр ЭЛСОМ")} ${ctx.config.callCentre}`];
  if (payment.provider_call_centre) centres.push(`${t("call-центр %(provider)s", { provider: payment.provider_name })} ${payment.provider_call_centre}`);
  const callCentres = h("p", { class: "small text-muted mt-3", dataset: { testid: "call-centres" }, text: `${t("Вопросы по платежу:")} ${centres.join(", ")}.` });
  // The receipt as a PDF to keep or send (GET payments/<code>/pdf, the website's receipt): saved under its own name.
  const pdfBox = alertBox();
  const pdf = h("button", { class: "btn btn-outline-primary w-100 mt-2", type: "button", dataset: { testid: "receipt-pdf" }, text: t("Скачать PDF"), on: { click: async () => {
    busy(pdf, true);
    try {
      const url = URL.createObjectURL(await api.file(`payments/${encodeURIComponent(payment.code)}/pdf`));
      h("a", { href: url, download: `elsom-${payment.code}.pdf` }).click();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      failed(ctx, pdfBox, error);
    } finally {
      busy(pdf, false);
    }
  } } });
  mount(ctx.root,
    receipt ? h("a", { class: "app-back", href: "#/history", text: t("Назад") }) : null,
    title(receipt ? t("Квитанция") : heading(payment.status)), status, details, callCentres,
    receipt ? [again, pdfBox, pdf] : favouriteForm(ctx, payment),
    receipt ? null : h("a", { class: "btn btn-outline-secondary w-100 mt-2", href: "#/home", text: t("На главную") }));
}

async function paymentScreen(ctx, params, receipt) {
  const code = params[0];
  const data = await load(ctx, async () => [await api.get(`payments/${encodeURIComponent(code)}`), await catalog()]);
  if (!data) return;
  const [payment, categories] = data;
  const service = findService(categories, payment.service_id);
  paymentView(ctx, payment, { receipt, accountLabel: service ? service.account_label : t("Лицевой счет") });
  if (payment.status === "in_progress") {
    // The provider has not answered yet: ask again until it has (the server settles it meanwhile).
    ctx.every(POLL_MS, async () => {
      try {
        const fresh = await api.get(`payments/${encodeURIComponent(code)}`);
        if (fresh.status !== "in_progress") ctx.refresh();
      } catch (error) {
        // no answer this time: the next tick asks again
      }
    });
  }
}

export const done = (ctx, params) => paymentScreen(ctx, params, false);
export const receipt = (ctx, params) => paymentScreen(ctx, params, true);

// --- history, favourites, devices ---------------------------------------------------------------------------------

export async function history(ctx) {
  const box = alertBox();
  const from = h("input", { type: "date", name: "date_from" });
  const to = h("input", { type: "date", name: "date_to" });
  const list = h("div", { class: "list-group app-list", dataset: { testid: "history" } });
  const more = h("button", { class: "btn btn-outline-secondary w-100 mt-2", type: "button", hidden: true, text: t("Показать еще") });
  let cursor = null;
  const page = async (reset) => {
    try {
      const data = await api.get("payments", { date_from: from.value, date_to: to.value, cursor: reset ? null : cursor, limit: "20" });
      if (reset) list.replaceChildren();
      for (const item of data.items) {
        list.append(h("a", { class: "list-group-item list-group-item-action app-operation", href: `#/receipt/${item.code}` },
          h("div", { class: "d-flex justify-content-between gap-2" }, h("span", { class: "fw-semibold", text: item.service_name }), h("span", { class: "amount debit", text: `−${som(item.total)}` })),
          h("div", { class: "small text-muted d-flex justify-content-between gap-2" }, h("span", { text: `${item.account} · ${when(item.created_at, language())}` }), h("span", { text: item.status_label }))));
      }
      if (reset && !data.items.length) list.append(h("div", { class: "list-group-item text-muted", text: t("Платежей за этот период нет.") }));
      cursor = data.next_cursor;
      more.hidden = !cursor;
      say(box, "");
    } catch (error) {
      failed(ctx, box, error);
    }
  };
  more.addEventListener("click", () => page(false));
  const filter = h("form", { class: "app-filter", novalidate: true, on: { submit: (event) => { event.preventDefault(); page(true); } } },
    field(t("С"), from), field(t("По"), to), h("button", { class: "btn btn-outline-primary", type: "submit", text: t("Показать") }));
  mount(ctx.root, title(t("История")), filter, box, list, more);
  await page(true);
}

export async function favourites(ctx) {
  const data = await load(ctx, () => api.get("favourites"));
  if (!data) return;
  const box = alertBox();
  const items = data.items.map((item) => h("div", { class: "list-group-item app-favourite" },
    h("div", { class: "fw-semibold", text: item.name }),
    h("div", { class: "small text-muted", text: `${item.service_name} · ${item.account}` }),
    h("div", { class: "d-flex gap-2 mt-2" },
      h("a", { class: "btn btn-primary btn-sm", href: `#/repeat/${item.id}`, text: t("Повторить") }),
      h("button", { class: "btn btn-outline-danger btn-sm", type: "button", text: t("Удалить"), on: { click: async () => {
        try {
          await api.delete(`favourites/${item.id}`);
          ctx.refresh();
        } catch (error) {
          failed(ctx, box, error);
        }
      } } }))));
  mount(ctx.root, title(t("Избранное")), box,
    items.length ? h("div", { class: "list-group app-list" }, items) : h("p", { class: "text-muted", text: t("Избранного пока нет. Сохраните платеж после оплаты.") }));
}

export async function devices(ctx) {
  const data = await load(ctx, () => api.get("devices"));
  if (!data) return;
  const box = alertBox();
  const items = data.items.map((device) => h("div", { class: "list-group-item" },
    h("div", { class: "d-flex justify-content-between gap-2" }, h("span", { class: "fw-semibold", text: device.name || t("Устройство") }),
      device.current ? h("span", { class: "badge text-bg-success", text: t("Это устройство") }) : null),
    h("div", { class: "small text-muted", text: t("Вход: %(date)s", { date: when(device.created_at, language()) }) }),
    device.last_used_at ? h("div", { class: "small text-muted", text: t("Последняя активность: %(date)s", { date: when(device.last_used_at, language()) }) }) : null,
    device.current ? null : h("button", { class: "btn btn-outline-danger btn-sm mt-2", type: "button", text: t("Отключить"), on: { click: async () => {
      try {
        await api.delete(`devices/${device.id}`);
        ctx.refresh();
      } catch (error) {
        failed(ctx, box, error);
      }
    } } })));
  const signOut = h("button", { class: "btn btn-outline-danger btn-lg w-100 mt-3", type: "button", text: t("Выйти"), on: { click: async () => {
    try {
      await api.post("auth/sign-out");
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) return failed(ctx, box, error);
    }
    token.clear();
    sessionStorage.clear();
    ctx.go("#/sign-in", t("Вы вышли из приложения на этом устройстве."));
  } } });
  mount(ctx.root, title(t("Устройства")), h("p", { class: "text-muted", text: t("Где выполнен вход в ваш кошелек. Отключите устройство, которое вам не знакомо.") }), box,
    h("div", { class: "list-group app-list" }, items), signOut);
}

// --- the PIN: a change with the token, a forgotten one by SMS code + personal INN --------------------------------
// The rules (trivial PINs, the repeat, 3 wrong PINs lock it) and every message are the server's (POST me/pin,
// auth/pin-reset/...), as on *900# -> 8 -> 3, which O! numbers do not reach.

const PIN_CHALLENGE_KEY = "elsom.pin-challenge";

function pinInput(name, autocomplete) {
  return h("input", { type: "password", name, inputmode: "numeric", autocomplete, maxlength: 4, pattern: "[0-9]*", required: true });
}

export function pin(ctx) {
  const box = alertBox();
  const current = pinInput("current_pin", "current-password");
  const fresh = pinInput("new_pin", "new-password");
  const repeat = pinInput("new_pin_repeat", "new-password");
  const submit = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit", text: t("Сохранить") });
  const form = h("form", { novalidate: true, on: { submit: async (event) => {
    event.preventDefault();
    busy(submit, true);
    try {
      await api.post("me/pin", { current_pin: current.value, new_pin: fresh.value, new_pin_repeat: repeat.value });
      ctx.go("#/home", t("PIN изменен. Вам придет SMS."));
    } catch (error) {
      failed(ctx, box, error);
    } finally {
      busy(submit, false);
    }
  } } }, box, field(t("Текущий PIN"), current), field(t("Новый PIN"), fresh), field(t("Повторите новый PIN"), repeat), submit);
  mount(ctx.root, h("a", { class: "app-back", href: "#/home", text: t("Назад") }), title(t("Смена PIN")), form,
    h("p", { class: "mt-3" }, h("a", { href: "#/pin-forgot", dataset: { testid: "pin-forgot" }, text: t("Забыли PIN?") })));
  current.focus();
}

// Two steps on one screen: the number (a code goes to it; every number is answered alike), then the code and the
// personal INN; the new PIN goes by SMS, never to the screen.
export function pinForgot(ctx) {
  const box = alertBox();
  const challenge = stored.get(PIN_CHALLENGE_KEY);
  const back = h("a", { class: "app-back", href: token.get() ? "#/pin" : "#/sign-in", text: t("Назад") });
  if (!challenge) {
    const phone = phoneInput();
    const submit = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit", text: t("Получить код") });
    const form = h("form", { novalidate: true, on: { submit: async (event) => {
      event.preventDefault();
      busy(submit, true);
      try {
        stored.set(PIN_CHALLENGE_KEY, { ...(await api.post("auth/pin-reset/code", { phone: phone.value })), sent_at: Date.now() });
        ctx.refresh();
      } catch (error) {
        failed(ctx, box, error);
      } finally {
        busy(submit, false);
      }
    } } }, box, field(t("Номер телефона"), phone), submit);
    mount(ctx.root, back, title(t("Забыли PIN?")), h("p", { class: "text-muted", text: t("На номер кошелька придет SMS-код. Введите его и ваш личный ИНН: новый PIN придет в SMS.") }), form);
    phone.focus();
    return;
  }
  const codeInput = h("input", { name: "code", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 12, required: true });
  const inn = h("input", { name: "inn", inputmode: "numeric", maxlength: 40, autocomplete: "off", required: true });
  const submit = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit", text: t("Получить новый PIN") });
  const { resend, wait } = resendControl(ctx, box, challenge, "auth/pin-reset/code/resend", PIN_CHALLENGE_KEY);
  const form = h("form", { novalidate: true, on: { submit: async (event) => {
    event.preventDefault();
    busy(submit, true);
    try {
      const sent = await api.post("auth/pin-reset", { challenge: challenge.challenge, code: codeInput.value.replace(/\s/g, ""), inn: inn.value });
      stored.clear(PIN_CHALLENGE_KEY);
      ctx.go(token.get() ? "#/home" : "#/sign-in", t("Новый PIN отправлен в SMS на номер %(phone)s.", { phone: sent.phone_display }));
    } catch (error) {
      failed(ctx, box, error);
    } finally {
      busy(submit, false);
    }
  } } }, box, field(t("Код из SMS"), codeInput), field(t("Личный ИНН"), inn, t("14 цифр, как в вашей ID-карте.")), submit);
  const other = h("button", { class: "btn btn-link px-0", type: "button", text: t("Другой номер"), on: { click: () => {
    stored.clear(PIN_CHALLENGE_KEY);
    ctx.refresh();
  } } });
  const simulator = ctx.config.simulator
    ? h("p", { class: "small" }, h("a", { href: `${ctx.config.simulator}?phone=0${challenge.phone.slice(4)}`, target: "_blank", rel: "noopener", text: t("Демо: SMS придет во входящие виртуального телефона") }))
    : null;
  mount(ctx.root, back, title(t("Забыли PIN?")),
    h("div", { class: "alert alert-info", role: "status", text: t("Код отправлен в SMS на номер %(phone)s.", { phone: national(challenge.phone) }) }),
    simulator, form, h("div", { class: "mt-2" }, resend, wait), h("p", { class: "mt-3" }, other));
  codeInput.focus();
}
