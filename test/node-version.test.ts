// The suite runs on the Node it is meant to (`bash .ci/with-node 24 npm test` sets
// FASTIFY_PUSHER_NODE_MAJOR), and soketi on the Node 20 that npm install brings, whatever that is.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { soketiNode } from './helpers/soketi'

t.test('the tests run on the Node major that .ci/with-node chose', { skip: process.env.FASTIFY_PUSHER_NODE_MAJOR === undefined && 'run by npm test on the machine\'s Node, not through .ci/with-node' }, async (t) => {
  t.equal(process.versions.node.split('.')[0], process.env.FASTIFY_PUSHER_NODE_MAJOR)
})

t.test('soketi runs on Node 20, whose ABI its uWebSockets.js build has a binary for', async (t) => {
  const node = soketiNode()
  t.not(node, process.execPath)
  t.match(node, /examples[/\\]soketi-node[/\\]node_modules[/\\]/)
  const [version, abi] = execFileSync(node, ['-p', 'process.version + " " + process.versions.modules'], { encoding: 'utf8' }).trim().split(' ')
  t.match(version, /^v20\./)
  const uws = join(require.resolve('uWebSockets.js/package.json'), '..', 'binaries', `uws_${process.platform}_${process.arch}_${abi}.node`)
  t.ok(existsSync(uws), `${uws} exists`)
})
