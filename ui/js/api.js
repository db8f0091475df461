// The one way the UI reaches the campaign. Inside the Tauri shell every call
// is a command (`window.__TAURI__.core.invoke(name, { request })`); in a
// browser it is a request to the HTTP API under /api/. Screens never call
// fetch or invoke themselves, so the two shells stay interchangeable.
//
// Each call names its Tauri command once, beside its HTTP method and path.
// Path parameters, query values and bodies all travel to a command as the
// fields of one `request` object.

const tauri = globalThis.__TAURI__?.core;

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function query(values) {
  const pairs = Object.entries(values ?? {}).filter(([, value]) => value !== undefined && value !== null);
  return pairs.length ? `?${new URLSearchParams(pairs)}` : '';
}

async function call(command, method, path, request, { text = false } = {}) {
  if (tauri) {
    try {
      return await tauri.invoke(command, { request: request ?? {} });
    } catch (failure) {
      throw new ApiError(failure?.error ?? String(failure), failure?.status ?? 0);
    }
  }
  const sendsBody = method !== 'GET';
  let response;
  try {
    response = await fetch(sendsBody ? path : path + query(request), {
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
  let data = null;
  try {
    data = body ? JSON.parse(body) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(data?.error ?? response.statusText, response.status);
  return data;
}

const get = (command, path, request) => call(command, 'GET', path, request);
const post = (command, path, request) => call(command, 'POST', path, request);
const segment = (value) => encodeURIComponent(value);

export const api = {
  today: () => get('today', '/api/today'),
  settings: () => get('settings', '/api/settings'),
  languages: () => get('languages', '/api/languages'),
  setMe: (member) => call('set_me', 'PUT', '/api/me', { member }),
  members: () => get('members', '/api/members'),
  committees: () => get('committees', '/api/committees'),
  sites: () => get('sites', '/api/sites'),

  actions: () => get('actions', '/api/actions'),
  shifts: (action) => get('shifts', `/api/actions/${segment(action)}/shifts`, tauri && { action }),
  turnout: (action) => get('turnout', `/api/actions/${segment(action)}/turnout`, tauri && { action }),
  roster: (shift) => get('shift_roster', `/api/shifts/${segment(shift)}/roster`, tauri && { shift }),
  checkIn: (request) => post('check_in', '/api/check-in', request),
  checkOut: (request) => post('check_out', '/api/check-out', request),

  chokePoints: () => get('choke_points', '/api/choke-points'),
  commitments: () => get('commitments', '/api/choke-points/commitments'),
  freezeReport: (hours = 48) => get('freeze_report', '/api/choke-points/report', { hours }),

  calendar: (count) => get('calendar', '/api/cadence/calendar', { count }),
  variety: () => get('variety_warning', '/api/cadence/variety'),
  // A browser downloads the file from its address; Tauri has no address, so
  // the shell returns the text and the UI offers it as a file.
  calendarFileUrl: tauri ? null : '/api/calendar.ics',
  calendarFile: () => call('calendar_ics', 'GET', '/api/calendar.ics', undefined, { text: true }),

  circlesDue: () => get('circles_due', '/api/circles/due'),
  circleRounds: () => get('circle_rounds', '/api/circles/rounds'),
  circles: () => get('circles', '/api/circles'),
  recordCircle: (request) => post('record_circle', '/api/circles', request),
  restCommitments: () => get('rest_commitments', '/api/circles/rest'),
  shareRest: (circle, request) =>
    post('share_rest_commitment', `/api/circles/${segment(circle)}/rest`, tauri ? { circle, ...request } : request),
  reflections: () => get('reflections', '/api/reflections'),
  writeReflection: (request) => post('write_reflection', '/api/reflections', request),

  skills: () => get('skills', '/api/skills'),
  skillSessions: () => get('skill_sessions', '/api/skills/sessions'),
  attendance: () => get('attendance', '/api/skills/attendance'),
  nextFacilitator: (skill) => get('rotation_pick', `/api/skills/${segment(skill)}/facilitator`, tauri && { skill }),
  recordAttendance: (session, members) =>
    post('record_attendance', `/api/skills/sessions/${segment(session)}/attendance`, tauri ? { session, members } : { members }),

  aidRequests: () => get('aid_requests', '/api/aid/requests'),
  requestAid: (request) => post('request_aid', '/api/aid/requests', request),
  offerAid: (request) => post('offer_aid', '/api/aid/offers', request),
  aidSummary: () => get('aid_summary', '/api/aid/summary'),
  aidBalances: () => get('aid_balances', '/api/aid/balances'),
  coordinatorView: () => get('coordinator_view', '/api/aid/coordinator'),

  sovereignty: () => get('sovereignty', '/api/sovereignty'),
  attention: () => get('attention', '/api/attention'),
  resolveAttention: (request) => post('resolve_attention', '/api/attention/resolve', request),
};
