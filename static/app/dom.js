// Building the screens without innerHTML: every text goes in as a text node, so nothing from the API or the
// holder's input is ever parsed as HTML (and the CSP needs no 'unsafe-inline').

export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "on") for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

// Money arrives as a string with two decimals ("1500.00"); grouped with spaces, never through a float.
export function money(amount) {
  const text = String(amount ?? "");
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (!match) return text;
  const whole = match[2].replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return `${match[1]}${whole}${match[3] || ""}`;
}

export function when(iso, language) {
  if (!iso) return "";
  const locale = { ru: "ru-RU", ky: "ky-KG", en: "en-GB" }[language] || "ru-RU";
  return new Date(iso).toLocaleString(locale, {
    timeZone: "Asia/Bishkek", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  });
}
