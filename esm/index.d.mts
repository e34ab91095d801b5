// Types of the ESM entry. A default import of CommonJS types would be the whole module
// (not callable), so the default export is named explicitly.
import { fastifyPusher } from '../dist/index.js'

export default fastifyPusher
export * from '../dist/index.js'
