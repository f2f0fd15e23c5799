// Preload for the MCP conformance suite (node --import ./inject_bearer.mjs): adds
// "Authorization: Bearer $AIRLOCK_TOKEN" to every HTTP request the process makes.
// The suite has no option for credentials: its scenarios connect with a bare
// StreamableHTTPClientTransport (fetch) and dns-rebinding-protection posts with
// undici.request. Both go through undici's global dispatcher (Node 22's fetch uses the
// same global slot), so wrapping that dispatcher's dispatch() reaches both. A request that
// already carries an Authorization header keeps it.
import { getGlobalDispatcher } from 'undici';

const token = process.env.AIRLOCK_TOKEN;
if (token) {
  const dispatcher = getGlobalDispatcher();
  const dispatch = dispatcher.dispatch.bind(dispatcher);
  const value = `Bearer ${token}`;
  dispatcher.dispatch = (opts, handler) => {
    let headers = opts.headers;
    if (Array.isArray(headers)) {  // flat [name, value, name, value, ...]
      const has = headers.some((h, i) => i % 2 === 0 && String(h).toLowerCase() === 'authorization');
      headers = has ? headers : [...headers, 'authorization', value];
    } else if (headers && typeof headers[Symbol.iterator] === 'function') {
      const pairs = [...headers];
      const has = pairs.some(([k]) => String(k).toLowerCase() === 'authorization');
      headers = has ? pairs : [...pairs, ['authorization', value]];
    } else {
      headers = { ...(headers ?? {}) };
      if (!Object.keys(headers).some(k => k.toLowerCase() === 'authorization')) headers.authorization = value;
    }
    return dispatch({ ...opts, headers }, handler);
  };
}
