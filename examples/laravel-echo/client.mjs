// The front end's Echo, set up as a Laravel app sets it up (resources/js/echo.js).
// Laravel Echo 2's CommonJS entry does not load on Node 20: import its ES module build.
import Echo from 'laravel-echo'
import Pusher from 'pusher-js'

/**
 * In a page served by the app, `authEndpoint` and `userAuthentication` are Echo's
 * defaults (/broadcasting/auth, /broadcasting/user-auth) and can be left out; a
 * Node client needs the app's origin.
 */
export function createEcho ({ key, wsHost, wsPort, origin, headers = {} }) {
  return new Echo({
    broadcaster: 'pusher',
    Pusher,
    key,
    cluster: 'local', // pusher-js wants one; wsHost wins
    wsHost,
    wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    authEndpoint: `${origin}/broadcasting/auth`,
    auth: { headers },
    userAuthentication: { endpoint: `${origin}/broadcasting/user-auth`, headers }
  })
}
