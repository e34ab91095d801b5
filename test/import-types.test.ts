// Every import style is typed as the plugin, in every module system a consumer compiles with
// (types/import-styles/: commonjs with and without esModuleInterop, nodenext CommonJS and ESM,
// bundler), against the built package's declarations; and the CommonJS entry's `export =`
// declaration (cjs/index.d.ts) names exactly what the built module exports.
import { readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import t from 'tap'
import ts from 'typescript'

const root = join(__dirname, '..')
const styles = join(root, 'types', 'import-styles')

function diagnosticsOf (configFile: string): readonly ts.Diagnostic[] {
  const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (error) => { throw new Error(String(error.messageText)) } })!
  const program = ts.createProgram(config.fileNames, config.options)
  return ts.getPreEmitDiagnostics(program)
}

function format (diagnostic: ts.Diagnostic): string {
  const where = diagnostic.file === undefined ? '' : `${relative(root, diagnostic.file.fileName)}: `
  return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
}

for (const config of readdirSync(styles).filter((file) => file.startsWith('tsconfig.'))) {
  t.test(`types/import-styles/${config} type-checks`, async (t) => {
    const diagnostics = diagnosticsOf(join(styles, config))
    const ours = diagnostics.filter((diagnostic) => !diagnostic.file?.fileName.includes('/node_modules/'))
    t.same(ours.map(format), [], 'no error in the consumer files nor in the package declarations')
    const dependencies = diagnostics.filter((diagnostic) => diagnostic.file?.fileName.includes('/node_modules/'))
    if (config === 'tsconfig.commonjs-no-interop.json') {
      // Fastify's own types need esModuleInterop or skipLibCheck: pino default-imports thread-stream.
      // Those errors are Fastify's; the check above still holds every file of ours to zero.
      t.ok(dependencies.every((diagnostic) => /node_modules\/pino\//.test(diagnostic.file!.fileName)), dependencies.map(format).join('\n'))
    } else {
      t.same(dependencies.map(format), [], 'no error in the dependencies either')
    }
  })
}

t.test('cjs/index.d.ts exports exactly the names of the built module, plus default', async (t) => {
  const program = ts.createProgram([join(root, 'cjs', 'index.d.ts'), join(root, 'dist', 'index.d.ts')], { skipLibCheck: true })
  const checker = program.getTypeChecker()
  const exportsOf = (file: string): string[] => {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!
    return checker.getExportsOfModule(symbol).map((exported) => exported.name).sort()
  }
  const cjs = exportsOf(join(root, 'cjs', 'index.d.ts'))
  const built = exportsOf(join(root, 'dist', 'index.d.ts'))
  t.ok(built.length > 70, `${built.length} names`)
  t.same(cjs, built)
  t.equal(dirname(require.resolve('fastify-pusher/package.json')), root)
  t.equal(require('fastify-pusher/package.json').exports['.'].require.types, './cjs/index.d.ts')
})
