/** Everything the harness started, stopped in reverse order on exit, error or Ctrl-C. */
type Stopper = { name: string, stop: () => Promise<void> | void }

const stoppers: Stopper[] = []
let stopping: Promise<void> | undefined

export function onCleanup (name: string, stop: Stopper['stop']): () => void {
  const entry = { name, stop }
  stoppers.push(entry)
  return () => {
    const i = stoppers.indexOf(entry)
    if (i >= 0) stoppers.splice(i, 1)
  }
}

export function cleanup (): Promise<void> {
  stopping ??= (async () => {
    while (stoppers.length > 0) {
      const { name, stop } = stoppers.pop()!
      try {
        await stop()
      } catch (err) {
        console.error(`bench: could not stop ${name}:`, err)
      }
    }
  })()
  return stopping
}

/** Ctrl-C / SIGTERM: stop what was started, then leave. */
export function installSignalHandlers (): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping what was started…`)
      void cleanup().finally(() => process.exit(130))
    })
  }
}
