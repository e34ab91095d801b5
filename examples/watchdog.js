'use strict'
// Runs a command and ends it when the process that started us is gone, even if that
// process was killed outright (SIGKILL leaves no chance to clean up).
// Usage: node watchdog.cjs PARENT_PID COMMAND [ARGS...]
const { spawn } = require('node:child_process')

const [parentPid, command, ...args] = process.argv.slice(2)
const child = spawn(command, args, { stdio: 'inherit' })

const stop = (signal) => { if (child.exitCode === null && child.signalCode === null) child.kill(signal) }
const parentAlive = () => {
  try {
    process.kill(Number(parentPid), 0)
    return true
  } catch {
    return false
  }
}

const timer = setInterval(() => {
  if (!parentAlive()) stop('SIGKILL')
}, 250)
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => { stop('SIGTERM') })
child.on('exit', (code, signal) => {
  clearInterval(timer)
  process.exit(code ?? (signal === null ? 0 : 1))
})
