// The page the app opens instead of the UI when it finds no campaign to
// open. The app puts the folder it looked in (and, when a campaign is there
// but would not open, the reason) in the page's address; this page only
// explains, it changes nothing. The UI comes here too after an emergency
// wipe (`wiped=1`), to say that the device now holds nothing.

import { h } from './dom.js';
import { startLanguage, t } from './i18n.js';

function card(titleKey, ...children) {
  return h('section', { class: 'card' }, h('h2', { text: t(titleKey) }), ...children);
}

function command(text) {
  return h('p', {}, h('code', { class: 'command', text }));
}

async function start() {
  await startLanguage();
  const address = new URLSearchParams(location.search);
  const folder = address.get('dir') ?? '';
  const problem = address.get('problem');
  const wiped = address.get('wiped') === '1';
  const screen = h('div', { class: 'screen', 'data-screen': wiped ? 'wiped' : 'no-campaign' });

  if (wiped) {
    screen.append(
      h('h1', { class: 'screen-title', text: t('start.wiped_title') }),
      h('p', { class: 'lead', text: t('start.wiped') }),
      folder ? h('p', { text: t('start.wiped_where', { folder }) }) : null,
      h('p', { text: t('start.wiped_next') }),
    );
  } else if (problem) {
    screen.append(
      h('h1', { class: 'screen-title', text: t('start.failed_title') }),
      h('p', { class: 'lead', text: t('start.failed_where', { folder }) }),
      h('p', { class: 'note note-warning', role: 'alert', text: problem }),
      h('p', { text: t('start.failed_next') }),
    );
  } else {
    screen.append(
      h('h1', { class: 'screen-title', text: t('start.title') }),
      h('p', { class: 'lead', text: t('start.looked', { folder }) }),
      card('start.demo_title', h('p', { text: t('start.demo') }), command('holdfast-app --demo')),
      card(
        'start.create_title',
        h('p', { text: t('start.create') }),
        command(
          `holdfast --data-dir "${folder}" init "${t('start.example_name')}" --local "${t('start.example_local')}"`,
        ),
      ),
      card(
        'start.elsewhere_title',
        h('p', { text: t('start.elsewhere') }),
        command(`holdfast-app --data-dir ${t('start.folder_placeholder')}`),
      ),
    );
  }
  document.getElementById('main').replaceChildren(screen);
  const title = wiped ? 'start.wiped_title' : problem ? 'start.failed_title' : 'start.title';
  document.title = `${t(title)} · Holdfast`;
  document.body.dataset.ready = 'true';
}

start();
