/**
 * Where cpactl keeps its files (CPACTL_CONFIG_DIR / _DATA_DIR / _CACHE_DIR, else the XDG defaults). The same rules
 * oclif applies to its configDir/dataDir/cacheDir, computed here so library code and tests need no oclif Config.
 */
import {homedir} from 'node:os'
import {join} from 'node:path'

export interface Dirs {
  configDir: string
  dataDir: string
  cacheDir: string
}

export function resolveDirs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Dirs {
  const home = env.HOME || homedir()
  const win = platform === 'win32'
  const local = env.LOCALAPPDATA || join(home, 'AppData', 'Local')
  const configDir = env.CPACTL_CONFIG_DIR || (win ? join(local, 'cpactl') : join(env.XDG_CONFIG_HOME || join(home, '.config'), 'cpactl'))
  const dataDir = env.CPACTL_DATA_DIR || (win ? join(local, 'cpactl') : join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'cpactl'))
  const cacheDir =
    env.CPACTL_CACHE_DIR ||
    (platform === 'darwin'
      ? join(home, 'Library', 'Caches', 'cpactl')
      : win
        ? join(local, 'cpactl', 'cache')
        : join(env.XDG_CACHE_HOME || join(home, '.cache'), 'cpactl'))
  return {configDir, dataDir, cacheDir}
}

/** Store path: explicit flag/env value, else `<dataDir>/cpactl.db`. */
export function resolveStorePath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit || env.CPACTL_STORE || join(resolveDirs(env).dataDir, 'cpactl.db')
}
