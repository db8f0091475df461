// The one way the UI reaches the campaign. In a browser every call is a
// request to the HTTP API under /api/; inside the app it is the same request
// handed to the app's one command, `api`, which passes it to the same
// handlers in-process (`window.__TAURI__.core.invoke('api', { method, path,
// body })`). Screens never call fetch or invoke themselves, so the two shells
// stay interchangeable.

const tauri = globalThis.__TAURI__?.core;

// The answer of every call while the campaign is locked.
const LOCKED = 423;

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
    // Whatever asked, the shell shows the lock screen.
    if (status === LOCKED) document.dispatchEvent(new CustomEvent('holdfast:locked'));
  }
}

function query(values) {
  const pairs = Object.entries(values ?? {}).filter(
    ([, value]) => value !== undefined && value !== null,
  );
  return pairs.length ? `?${new URLSearchParams(pairs)}` : '';
}

async function call(method, path, request, { text = false } = {}) {
  const sendsBody = method !== 'GET';
  const address = sendsBody ? path : path + query(request);
  if (tauri) {
    try {
      return await tauri.invoke('api', {
        method,
        path: address,
        body: sendsBody ? (request ?? {}) : null,
      });
    } catch (failure) {
      throw new ApiError(failure?.error ?? String(failure), failure?.status ?? 0);
    }
  }
  let response;
  try {
    response = await fetch(address, {
      method,
      cache: 'no-store',
      headers: sendsBody ? { 'Content-Type': 'application/json' } : {},
      body: sendsBody ? JSON.stringify(request ?? {}) : undefined,
    });
  } catch {
    throw new ApiError('', 0);
  }
  if (text && response.ok) return response.text();
  const body = await response.text();
  let data;
  try {
    data = body ? JSON.parse(body) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(data?.error ?? response.statusText, response.status);
  return data;
}

const get = (path, request) => call('GET', path, request);
const post = (path, request) => call('POST', path, request);
const segment = (value) => encodeURIComponent(value);

export const api = {
  today: () => get('/api/today'),
  settings: () => get('/api/settings'),
  languages: () => get('/api/languages'),
  setMe: (member) => call('PUT', '/api/me', { member }),
  members: () => get('/api/members'),
  committees: () => get('/api/committees'),
  sites: () => get('/api/sites'),
  eraseMember: (member, confirm) => post(`/api/members/${segment(member)}/erase`, { confirm }),

  actions: () => get('/api/actions'),
  shifts: (action) => get(`/api/actions/${segment(action)}/shifts`),
  turnout: (action) => get(`/api/actions/${segment(action)}/turnout`),
  roster: (shift) => get(`/api/shifts/${segment(shift)}/roster`),
  checkIn: (request) => post('/api/check-in', request),
  checkOut: (request) => post('/api/check-out', request),
  voidCheck: (check) => post(`/api/check-ins/${segment(check)}/void`),
  walkIn: (request) => post('/api/walk-ins', request),
  confirmWalkIn: (walkIn) => post(`/api/walk-ins/${segment(walkIn)}/confirm`, {}),
  mergeWalkIn: (walkIn, into) => post(`/api/walk-ins/${segment(walkIn)}/merge`, { into }),

  chokePoints: () => get('/api/choke-points'),
  commitments: () => get('/api/choke-points/commitments'),
  freezeReport: (hours = 48) => get('/api/choke-points/report', { hours }),

  calendar: (count) => get('/api/cadence/calendar', { count }),
  variety: () => get('/api/cadence/variety'),
  // A browser downloads the file from its address. Inside the app there is
  // no address to download from, so the UI asks for the text and offers it
  // as a file.
  calendarFileUrl: tauri ? null : '/api/calendar.ics',
  calendarFile: () => call('GET', '/api/calendar.ics', undefined, { text: true }),

  circlesDue: () => get('/api/circles/due'),
  circleRounds: () => get('/api/circles/rounds'),
  circles: () => get('/api/circles'),
  recordCircle: (request) => post('/api/circles', request),
  restCommitments: () => get('/api/circles/rest'),
  shareRest: (circle, request) => post(`/api/circles/${segment(circle)}/rest`, request),
  reflections: () => get('/api/reflections'),
  writeReflection: (request) => post('/api/reflections', request),

  skills: () => get('/api/skills'),
  skillSessions: () => get('/api/skills/sessions'),
  attendance: () => get('/api/skills/attendance'),
  nextFacilitator: (skill) => get(`/api/skills/${segment(skill)}/facilitator`),
  recordAttendance: (session, members) =>
    post(`/api/skills/sessions/${segment(session)}/attendance`, { members }),
  decisions: () => get('/api/decisions'),
  propose: (proposal) => post('/api/decisions', proposal),
  vote: (proposal, choice) => post(`/api/decisions/${segment(proposal)}/vote`, { choice }),
  closeProposal: (proposal) => post(`/api/decisions/${segment(proposal)}/close`),

  aidRequests: () => get('/api/aid/requests'),
  requestAid: (request) => post('/api/aid/requests', request),
  offerAid: (request) => post('/api/aid/offers', request),
  aidSummary: () => get('/api/aid/summary'),
  aidBalances: () => get('/api/aid/balances'),
  coordinatorView: () => get('/api/aid/coordinator'),

  syncStatus: () => get('/api/sync'),
  syncNow: () => post('/api/sync/now'),
  devices: () => get('/api/devices'),
  invite: (request) => post('/api/invites', request),
  revokeDevice: (device) => post(`/api/devices/${segment(device)}/revoke`),
  pairBrowser: (code) => post('/api/browser/pair', { code }),
  browsers: () => get('/api/browsers'),
  revokeBrowser: (browser) => post(`/api/browsers/${segment(browser)}/revoke`),
  newHallLink: () => post('/api/hall-link/new', {}),

  sovereignty: () => get('/api/sovereignty'),
  attention: () => get('/api/attention'),
  resolveAttention: (request) => post('/api/attention/resolve', request),

  lockState: () => get('/api/lock'),
  lock: () => post('/api/lock', {}),
  unlock: (passphrase) => post('/api/unlock', { passphrase }),
  wipe: (confirm) => post('/api/wipe', { confirm }),
};
