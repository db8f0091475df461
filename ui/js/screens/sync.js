// Sync and devices: when this device last synced and with whom, what made
// here is on no other device yet, a way to sync now, who was refused lately,
// the paired devices with a way to revoke a lost one, and invites for new
// devices, shown as a QR code and as a code to read out.

import { api } from '../api.js';
import {
  append,
  askInPlace,
  empty,
  field,
  h,
  memberPicker,
  note,
  screenHeading,
  section,
  safeSvg,
  select,
} from '../dom.js';
import { formatDateTime, t } from '../i18n.js';

const INVITE_ROLES = ['member', 'captain', 'coordinator', 'steward'];
const DEFAULT_HOURS = 24;
const MOST_HOURS = 24 * 14;
const EVENTS_SHOWN = 8;

export async function render(container, app) {
  const [status, devices, today, members] = await Promise.all([
    api.syncStatus(),
    api.devices(),
    api.today(),
    api.members(),
  ]);
  const me = today.me;
  const steward = Boolean(me?.roles.includes('steward'));

  // What a sync can change is drawn into these holders, so that after "Sync
  // now" they are redrawn in place while the button keeps the focus and its
  // answer stays on screen.
  const facts = h('div', { class: 'sync-facts' });
  const history = h('div', { class: 'sync-history' });
  const drawStatus = (current) => {
    facts.replaceChildren(...stateFacts(current));
    history.replaceChildren(...[peersSection(current), eventsSection(current)].filter(Boolean));
  };
  drawStatus(status);

  const list = h('div');
  const drawDevices = (rows) => list.replaceChildren(deviceList(rows, steward, app, redrawDevices));
  const redrawDevices = async () => drawDevices(await api.devices());
  drawDevices(devices);

  // A sync can bring news of devices paired or revoked elsewhere as well.
  const afterSync = async () => {
    const [current, rows] = await Promise.all([api.syncStatus(), api.devices()]);
    drawStatus(current);
    drawDevices(rows);
  };

  append(container, [
    screenHeading('sync.title'),
    h('p', { class: 'lead', text: t('sync.explain') }),
    stateSection(status, facts, app, afterSync),
    history,
  ]);
  container.append(
    section(
      'sync.devices',
      steward ? null : note(me ? t('sync.stewards_only', { name: me.name }) : t('sync.pick_first')),
      list,
    ),
  );
  if (!today.browser) {
    const browsers = await api.browsers();
    if (browsers.length) container.append(browsersSection(browsers, steward, app));
  }
  if (steward) container.append(inviteSection(members, app));
}

// The browsers at the hall this hub has let in with its link: guests until
// paired with an invite. A steward turns a lost or unknown one away.
function browsersSection(browsers, steward, app) {
  const list = h('ul', { class: 'rows', 'data-testid': 'browser-list' });
  const draw = (rows) =>
    list.replaceChildren(...rows.map((browser) => browserRow(browser, steward, app, redraw)));
  const redraw = async () => draw(await api.browsers());
  draw(browsers);
  return section(
    'browser.list',
    h('p', { class: 'hint', text: t('browser.list_explain') }),
    list,
    steward ? newHallLink(app) : null,
  );
}

// A link that leaked is replaced here: every browser must then open the new
// one, and paired browsers stay paired.
function newHallLink(app) {
  const slot = h('div', { class: 'device-actions' });
  const shown = h('div', { 'data-testid': 'hall-links' });
  askInPlace(slot, {
    button: h('button', { type: 'button', class: 'button secondary', text: t('browser.new_link') }),
    id: 'new-hall-link',
    question: t('browser.new_link_confirm'),
    yes: t('browser.new_link_yes'),
    act: async () => {
      const made = await api.newHallLink();
      shown.replaceChildren(
        h('p', { text: t('browser.new_link_made') }),
        h(
          'ul',
          { class: 'links' },
          made.links.map((link) => h('li', {}, h('code', { text: link }))),
        ),
      );
      app.announce(t('browser.new_link_made'));
    },
    explain: (error) => app.explain(error),
  });
  return h('div', {}, slot, shown);
}

function browserRow(browser, steward, app, redraw) {
  const slot = h('div', { class: 'device-actions' });
  const state = browser.revoked_at
    ? t('browser.turned_away_on', { when: formatDateTime(browser.revoked_at) })
    : browser.member_id
      ? t('browser.paired_on', { when: formatDateTime(browser.paired_at) })
      : t('browser.guest_since', { when: formatDateTime(browser.created_at) });
  const row = h(
    'li',
    { class: `device${browser.revoked_at ? ' is-revoked' : ''}`, 'data-browser': browser.id },
    h(
      'div',
      { class: 'device-facts' },
      h('span', { class: 'row-name', text: browser.label }),
      browser.role ? h('span', { text: t(`role.${browser.role}`) }) : null,
      h('span', { class: 'tag', text: state }),
    ),
    slot,
  );
  if (!steward || browser.revoked_at) return row;
  askInPlace(slot, {
    button: h('button', {
      type: 'button',
      class: 'button danger',
      'aria-label': t('browser.turn_away_label', { label: browser.label }),
      text: t('browser.turn_away'),
    }),
    id: `turn-away-${browser.id}`,
    question: t('browser.turn_away_confirm', { label: browser.label }),
    yes: t('browser.turn_away_yes'),
    act: async () => {
      const done = await api.revokeBrowser(browser.id);
      app.announce(t('browser.turned_away', { label: done.label }));
      await redraw();
    },
    explain: (error) => app.explain(error),
  });
  return row;
}

// The headline: the latest sync, what has not left this device, the
// fingerprint people compare when they pair, and the way to sync now.
function stateSection(status, facts, app, afterSync) {
  const { button, result } = syncNow(app, afterSync);
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'section-sync-state', 'data-testid': 'sync-state' },
    h('h3', { id: 'section-sync-state', text: t('sync.state') }),
    facts,
    h(
      'dl',
      { class: 'fingerprint' },
      h('dt', { text: t('sync.fingerprint') }),
      h('dd', { class: 'fingerprint-value', text: status.fingerprint ?? '—' }),
    ),
    h('p', { class: 'hint', text: t('sync.fingerprint_hint') }),
    h(
      'div',
      { class: 'actions' },
      button,
      h('button', {
        type: 'button',
        class: 'button secondary',
        text: t('sync.check_again'),
        onclick: () => app.refresh(),
      }),
    ),
    result,
  );
}

function stateFacts(status) {
  const latest = status.peers[0];
  const count = status.unsynced_local_changes;
  return [
    h('p', {
      class: 'sync-latest',
      text: latest
        ? t('sync.last_synced', {
            when: formatDateTime(latest.last_synced_at),
            device: peerName(latest),
          })
        : t('sync.never_synced'),
    }),
    h(
      'p',
      { class: count ? 'note note-warning' : 'note', 'data-testid': 'unsynced' },
      count ? t('sync.unsynced', { count }) : t('sync.all_shared'),
    ),
    count ? h('p', { class: 'hint', text: t('sync.unsynced_hint') }) : null,
  ].filter(Boolean);
}

// "Sync now" runs one round on the server: the hub that answered last time,
// then a few seconds of looking for one on the network. While it runs the
// button stays focusable but ignores presses (aria-disabled rather than
// disabled, which would throw the focus back to the top of the page), and
// the answer, good or bad, lands in a live region under it.
function syncNow(app, afterSync) {
  const result = h('div', {
    class: 'sync-result',
    'aria-live': 'polite',
    'data-testid': 'sync-result',
  });
  const button = h('button', {
    type: 'button',
    class: 'button',
    'data-testid': 'sync-now',
    text: t('sync.now'),
  });
  let busy = false;
  const setBusy = (on) => {
    busy = on;
    button.textContent = on ? t('sync.now_busy') : t('sync.now');
    if (on) button.setAttribute('aria-disabled', 'true');
    else button.removeAttribute('aria-disabled');
  };
  button.addEventListener('click', async () => {
    if (busy) return;
    setBusy(true);
    result.replaceChildren(note(t('sync.now_looking')));
    let synced;
    try {
      synced = await api.syncNow();
    } catch (error) {
      result.replaceChildren(syncFailure(error, app));
      setBusy(false);
      return;
    }
    result.replaceChildren(
      note(
        t('sync.now_done', {
          peer: synced.peer,
          address: synced.address,
          received: synced.changes_received,
          sent: synced.changes_sent,
        }),
        'success',
      ),
    );
    try {
      await afterSync();
    } catch {
      // The sync itself succeeded; "Check again" redraws the rest.
    }
    setBusy(false);
  });
  return { button, result };
}

// No hub in reach is the usual case away from the hall, so it says plainly
// that nothing made here is lost. The server's own words follow as details
// for whoever looks after the hub.
function syncFailure(error, app) {
  if (!error?.status) return note(app.explain(error), 'warning');
  const key = error.status === 503 ? 'sync.now_no_hub' : 'sync.now_failed';
  return h(
    'div',
    { class: 'note note-warning', role: 'alert' },
    h('p', { text: t(key) }),
    error.message
      ? h('p', { class: 'sync-reason', text: t('sync.now_reason', { reason: error.message }) })
      : null,
  );
}

function peerName(peer) {
  return peer.label ?? t('sync.unknown_device', { id: peer.device_id.slice(0, 8) });
}

function peersSection(status) {
  if (!status.peers.length) return null;
  return section(
    'sync.peers',
    h(
      'ul',
      { class: 'rows' },
      status.peers.map((peer) =>
        h(
          'li',
          { class: 'row stacked' },
          h('span', { class: 'row-name', text: peerName(peer) }),
          h('span', {
            text: t('sync.peer_when', {
              when: formatDateTime(peer.last_synced_at),
              address: peer.address,
            }),
          }),
          h('span', {
            class: 'tag',
            text: t('sync.peer_changes', {
              received: peer.changes_received,
              sent: peer.changes_sent,
            }),
          }),
        ),
      ),
    ),
  );
}

// Refusals and broken connections, newest first, in the words the sync
// layer logged them: they are for a steward to act on, such as a revoked
// phone that keeps trying.
function eventsSection(status) {
  const events = status.recent_events.slice(0, EVENTS_SHOWN);
  return section(
    'sync.events',
    events.length
      ? h(
          'ul',
          { class: 'rows', 'data-testid': 'sync-events' },
          events.map((event) =>
            h(
              'li',
              { class: 'row stacked' },
              h('span', {
                class: 'tag',
                text: t('sync.event_when', { when: formatDateTime(event.at), peer: event.peer }),
              }),
              h('span', { text: event.event }),
            ),
          ),
        )
      : empty('sync.no_events'),
  );
}

function deviceList(devices, steward, app, redraw) {
  if (!devices.length) return empty('sync.no_devices');
  return h(
    'ul',
    { class: 'rows', 'data-testid': 'device-list' },
    devices.map((device) => deviceRow(device, steward, app, redraw)),
  );
}

function deviceRow(device, steward, app, redraw) {
  const revoked = Boolean(device.revoked_at);
  const who = device.member_id
    ? (device.member_name ?? t('common.former_member'))
    : t('sync.no_member');
  const state = revoked
    ? t('sync.revoked_on', { when: formatDateTime(device.revoked_at) })
    : t('sync.active');
  const slot = h('div', { class: 'device-actions' });
  const row = h(
    'li',
    { class: `device${revoked ? ' is-revoked' : ''}`, 'data-device': device.id },
    h(
      'div',
      { class: 'device-facts' },
      h('span', { class: 'row-name', text: device.label }),
      device.this_device ? h('span', { class: 'badge', text: t('sync.this_device') }) : null,
      h('span', { text: `${who} · ${t(`role.${device.role}`)}` }),
      h('span', {
        class: 'tag',
        text: `${t('sync.paired_on', { when: formatDateTime(device.paired_at) })} · ${state}`,
      }),
    ),
    slot,
  );
  // This device cannot revoke itself, and a revoked one stays revoked.
  if (!steward || revoked || device.this_device) return row;

  // Revoking cannot be undone, so the button only asks; the question names
  // the device and says what follows, and "Cancel" has the focus.
  askInPlace(slot, {
    button: h('button', {
      type: 'button',
      class: 'button danger',
      'aria-label': t('sync.revoke_label', { label: device.label }),
      text: t('sync.revoke'),
    }),
    id: `revoke-${device.id}`,
    question: t('sync.revoke_confirm', { label: device.label }),
    yes: t('sync.revoke_yes'),
    act: async () => {
      const done = await api.revokeDevice(device.id);
      app.announce(t('sync.revoked', { label: done.label }));
      await redraw();
    },
    explain: (error) => app.explain(error),
  });
  return row;
}

function inviteSection(members, app) {
  let chosen = null;
  const chosenLine = h('p', {
    class: 'chosen',
    'aria-live': 'polite',
    text: t('sync.invite_none_chosen'),
  });
  const picker = memberPicker(members, {
    labelKey: 'sync.invite_member',
    buttonKey: 'sync.invite_pick',
    limit: 6,
    onPick: (member) => {
      chosen = member;
      chosenLine.textContent = t('sync.invite_for', { name: member.name });
      chosenLine.classList.add('is-chosen');
    },
  });
  const role = select(
    INVITE_ROLES.map((value) => [value, t(`role.${value}`)]),
    'member',
  );
  const hours = h('input', {
    type: 'number',
    min: '1',
    max: String(MOST_HOURS),
    step: '1',
    inputmode: 'numeric',
    required: true,
    value: String(DEFAULT_HOURS),
  });
  const status = h('div', { 'aria-live': 'polite' });
  const result = h('div', { class: 'invite-result' });
  const form = h(
    'form',
    { class: 'form', 'data-testid': 'invite-form' },
    picker,
    chosenLine,
    field('sync.invite_role', role, 'sync.invite_role_hint'),
    field('sync.invite_hours', hours, 'sync.invite_hours_hint'),
    h('button', { type: 'submit', class: 'button', text: t('sync.invite_make') }),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!chosen) {
      status.replaceChildren(note(t('sync.invite_choose_first'), 'warning'));
      picker.querySelector('input')?.focus();
      return;
    }
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    status.replaceChildren();
    try {
      const issued = await api.invite({
        member: chosen.id,
        role: role.value,
        hours: Number(hours.value),
      });
      result.replaceChildren(issuedInvite(issued));
      app.announce(t('sync.invite_ready', { name: issued.member }));
      result.querySelector('h4')?.focus();
    } catch (error) {
      status.replaceChildren(note(app.explain(error), 'warning'));
    } finally {
      submit.disabled = false;
    }
  });
  return section(
    'sync.invite',
    h('p', { class: 'hint', text: t('sync.invite_explain') }),
    form,
    result,
  );
}

// The invite as the new device takes it: the QR code for its camera, and the
// code in large letters for reading out where a camera will not do.
function issuedInvite(issued) {
  const name = issued.member;
  const picture = qrPicture(issued.qr_svg, t('sync.invite_qr', { name }));
  const groups = issued.code.split('-');
  return h(
    'div',
    { class: 'invite', 'data-testid': 'invite' },
    h('h4', {
      tabindex: '-1',
      text: t('sync.invite_ready_title', { name, role: t(`role.${issued.role}`) }),
    }),
    picture
      ? h('div', { class: 'invite-qr', 'data-testid': 'invite-qr' }, picture)
      : note(t('sync.invite_no_qr'), 'warning'),
    h('p', { class: 'invite-code-label', text: t('sync.invite_code') }),
    // The groups are separate boxes so a narrow phone wraps between them,
    // never inside one; the dashes stay in the text for copying.
    h(
      'p',
      { class: 'invite-code', 'data-testid': 'invite-code' },
      groups.flatMap((group, index) => [
        index ? h('span', { class: 'invite-dash', text: '-' }) : null,
        h('span', { class: 'invite-group', text: group }),
      ]),
    ),
    h('p', {
      class: 'when',
      text: t('sync.invite_expires', { when: formatDateTime(issued.expires_at) }),
    }),
    note(t('sync.invite_secret', { name }), 'info'),
    h(
      'details',
      {},
      h('summary', { text: t('sync.invite_link') }),
      h('p', { class: 'command', text: issued.link }),
    ),
  );
}

// The QR code arrives as SVG text from the hub; only the shapes a QR code
// is made of are kept (see `safeSvg`).
const QR_SHAPES = {
  svg: ['viewBox', 'width', 'height', 'shape-rendering'],
  rect: ['x', 'y', 'width', 'height', 'fill'],
  path: ['d', 'fill'],
  g: ['fill'],
};

function qrPicture(markup, label) {
  return safeSvg(markup, QR_SHAPES, label);
}
