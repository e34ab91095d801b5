import Pusher from 'pusher-js'

const pusher = new Pusher('key', { cluster: 'eu', channelAuthorization: { endpoint: '/pusher/auth', transport: 'ajax' } })
pusher.signin() // optional: server-to-user events, watchlists
