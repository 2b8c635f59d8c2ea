// Minimal DOM builder. Text always goes through text nodes; attribute values through
// setAttribute on an allow-list of names, so no string from the scanned repository can
// become markup, an event handler or a URL.

type Child = Node | string | number | null | undefined | false;
type Children = Child | Children[];
type AttrValue = string | number | boolean | null | undefined;
type Handler = (ev: Event) => void;

const SAFE_ATTR = /^(class|id|title|type|role|tabindex|name|value|placeholder|for|checked|disabled|hidden|open|colspan|spellcheck|autocomplete|data-[a-z0-9-]+|aria-[a-z-]+)$/;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, AttrValue | Handler> | null,
  ...children: Children[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) {
        if (typeof v !== 'function') throw new Error(`refusing string event handler ${k}`);
        el.addEventListener(k.slice(2).toLowerCase(), v as Handler);
        continue;
      }
      if (typeof v === 'function') continue;
      if (!SAFE_ATTR.test(k)) throw new Error(`attribute not allowed: ${k}`);
      if (k === 'checked' && el instanceof HTMLInputElement) el.checked = Boolean(v);
      else if (k === 'value' && (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLOptionElement)) el.value = String(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Children[]): void {
  for (const c of children) {
    if (Array.isArray(c)) append(el, c);
    else if (c === null || c === undefined || c === false) continue;
    else if (typeof c === 'string' || typeof c === 'number') el.appendChild(document.createTextNode(String(c)));
    else el.appendChild(c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Element, ...children: Children[]): void {
  clear(el);
  append(el, children);
}
