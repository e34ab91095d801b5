// The ESM entry: the CommonJS build's plugin as the default export, plus every named export.
import cjs from '../dist/index.js'

export default cjs
export * from '../dist/index.js'
