// pgpass 1.0.5 ships no types: the one call cpactl makes (postgres/config.ts).
declare module 'pgpass' {
  function pgpass(connInfo: {host?: string; port?: number; database?: string; user?: string}, cb: (password: string | undefined) => void): void
  export default pgpass
}
