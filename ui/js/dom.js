// Building the page from code, never from HTML strings: record text is always
// set as text, so a name or a note can never become markup.

import { t } from './i18n.js';

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'open']);

export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (PROPERTIES.has(key)) element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  for (const child of children.flat()) {
    if (child)
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// SVG that arrives as text (a QR code from the hub) is never inserted as
// markup, and the page's policy blocks a data: URL in an <img>. The text is
// parsed as XML, away from the page, and only the elements and attributes
// `shapes` names are copied into new elements (a fill only as a plain
// colour): scripts, links, styles and event attributes cannot come along.
// Returns null if the text is not SVG at all.
const PLAIN_COLOUR = /^(#[0-9a-f]{3,8}|[a-z]+)$/i;

export function safeSvg(markup, shapes, label) {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.namespaceURI !== SVG || root.localName !== 'svg') return null;
  const copy = (source) => {
    const allowed = shapes[source.localName];
    if (source.namespaceURI !== SVG || !allowed) return null;
    const attributes = {};
    for (const name of allowed) {
      const value = source.getAttribute(name);
      if (value === null) continue;
      if (name === 'fill' && !PLAIN_COLOUR.test(value)) continue;
      attributes[name] = value;
    }
    return svg(source.localName, attributes, [...source.children].map(copy));
  };
  const picture = copy(root);
  picture.setAttribute('role', 'img');
  picture.setAttribute('aria-label', label);
  picture.setAttribute('focusable', 'false');
  return picture;
}

// Every screen starts with one heading, which takes focus after navigation
// so a screen reader announces where the user is.
export function screenHeading(key, values) {
  return h('h2', { class: 'screen-title', tabindex: '-1', text: t(key, values) });
}

export function section(titleKey, ...children) {
  const id = `section-${titleKey.replace(/\W/g, '-')}`;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id },
    h('h3', { id, text: t(titleKey) }),
    ...children,
  );
}

export function note(text, kind = 'info') {
  return h('p', { class: `note note-${kind}`, role: kind === 'warning' ? 'alert' : null, text });
}

export function empty(key) {
  return h('p', { class: 'empty', text: t(key) });
}

// Asks before something that cannot be undone, in place of the button that
// offers it rather than in a browser dialog. Pressing `button` puts a group
// named by `question` into `slot`, with whatever else the question needs
// (`extra`: an explanation, a field to type in), the confirming button and
// "Cancel". The first field, or else "Cancel", takes the focus; "Cancel"
// puts the button back and gives it the focus. `act` does the work; when it
// throws, `explain` words the error under the buttons and the question
// stays. After `act` succeeds the caller redraws what changed.
export function askInPlace(slot, { button, id, question, extra = [], yes, act, explain }) {
  const idle = () => {
    slot.classList.remove('is-asking');
    slot.replaceChildren(button);
  };
  const ask = () => {
    const questionId = `${id}-question`;
    const status = h('div', { 'aria-live': 'polite' });
    const cancel = h('button', {
      type: 'button',
      class: 'button secondary',
      text: t('common.cancel'),
      onclick: () => {
        idle();
        button.focus();
      },
    });
    const confirm = h('button', { type: 'submit', class: 'button danger', text: yes });
    const form = h(
      'form',
      { novalidate: true },
      extra,
      h('div', { class: 'actions' }, confirm, cancel),
      status,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (confirm.disabled) return;
      confirm.disabled = true;
      cancel.disabled = true;
      status.replaceChildren();
      try {
        await act();
      } catch (error) {
        status.replaceChildren(note(explain(error), 'warning'));
        confirm.disabled = false;
        cancel.disabled = false;
        form.querySelector('input')?.focus();
      }
    });
    slot.classList.add('is-asking');
    slot.replaceChildren(
      h(
        'div',
        { class: 'confirm', role: 'group', 'aria-labelledby': questionId },
        h('p', { id: questionId, text: question }),
        form,
      ),
    );
    (form.querySelector('input') ?? cancel).focus();
  };
  button.addEventListener('click', ask);
  idle();
}

let fieldCount = 0;

// A labelled form control; the label sits above the control in large type.
export function field(labelKey, control, hintKey) {
  fieldCount += 1;
  const id = control.id || `field-${fieldCount}`;
  control.id = id;
  const hint = hintKey ? h('p', { class: 'hint', id: `${id}-hint`, text: t(hintKey) }) : null;
  if (hint) control.setAttribute('aria-describedby', hint.id);
  return h('div', { class: 'field' }, h('label', { for: id, text: t(labelKey) }), hint, control);
}

export function select(options, value) {
  return h(
    'select',
    {},
    options.map(([optionValue, label]) =>
      h('option', { value: optionValue, selected: optionValue === value, text: label }),
    ),
  );
}

// A list of members to pick from, filtered as the user types. Large
// campaigns have thousands of members, so only the first matches are shown.
export function memberPicker(members, { labelKey, buttonKey, onPick, limit = 40 }) {
  const input = h('input', { type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const list = h('ul', { class: 'pick-list' });
  const draw = () => {
    const wanted = input.value.trim().toLowerCase();
    const matches = members
      .filter((member) => member.name.toLowerCase().includes(wanted))
      .slice(0, limit);
    list.replaceChildren(
      ...matches.map((member) =>
        h(
          'li',
          {},
          h('button', {
            type: 'button',
            class: 'pick',
            'aria-label': buttonKey ? t(buttonKey, { name: member.name }) : member.name,
            text: member.name,
            onclick: (event) => onPick(member, event.currentTarget),
          }),
        ),
      ),
    );
    if (!matches.length) list.append(h('li', { class: 'empty', text: t('common.no_match') }));
  };
  input.addEventListener('input', draw);
  draw();
  return h('div', { class: 'picker' }, field(labelKey, input), list);
}

export function namesById(members) {
  return new Map(members.map((member) => [member.id, member.name]));
}
