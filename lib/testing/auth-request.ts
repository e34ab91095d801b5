/** A request for `app.inject`: the form pusher-js (or pusher-js-auth, or pusher-js's `signin()`) posts. */
export interface AuthRequest {
  method: 'POST'
  headers: { 'content-type': 'application/x-www-form-urlencoded' }
  payload: string
}

/**
 * The exact body pusher-js posts to authorize one channel (`socket_id=...&channel_name=...`), that
 * pusher-js-auth posts for several (`&socket_id=...&channel_name[0]=...&channel_name[1]=...`), or that
 * `signin()` posts (no channel), with `params` appended as both add them. Spread it into `app.inject`
 * with the auth route's `url`.
 */
export function authRequest ({ socketId, channels = [], params = {} }: { socketId: string, channels?: string | string[], params?: Record<string, string> }): AuthRequest {
  const list = typeof channels === 'string' ? [channels] : channels
  let payload = list.length > 1
    ? `&socket_id=${encodeURIComponent(socketId)}` + list.map((channel, i) => `&channel_name[${i}]=${encodeURIComponent(channel)}`).join('')
    : `socket_id=${encodeURIComponent(socketId)}` + (list.length === 1 ? `&channel_name=${encodeURIComponent(list[0])}` : '')
  for (const [key, value] of Object.entries(params)) payload += `&${encodeURIComponent(key)}=${encodeURIComponent(value)}`
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload }
}
